import type { PrincipalList, SystemId } from '../../src/config.js';
import { MembershipChecker } from '../../src/engine/access.js';
import { Approvals } from '../../src/engine/approval.js';
import { RevocationEngine } from '../../src/engine/engine.js';
import type { DirectoryUser, PeopleDirectory } from '../../src/engine/people.js';
import { ErrorCode, RevokeError } from '../../src/errors.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { vendorCallScope } from '../../src/providers/call-scope.js';
import type {
  Account,
  AccountLookup,
  Person,
  ProviderCapabilities,
  Session,
  SessionProvider,
} from '../../src/providers/types.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { captureLogs } from '../helpers/capture.js';

/** A principal list of user IDs only. */
export function users(...ids: string[]): PrincipalList {
  return { users: new Set(ids), groups: new Set() };
}

/** A system held in memory: accounts by email, sessions by account; records what it was asked. */
export class MemorySystem implements SessionProvider {
  readonly accounts = new Map<string, Account[]>();
  sessions = new Map<string, Session[]>();
  readonly revoked: { account: string; ids: string[] | 'all' }[] = [];
  /** The next revoke call fails with this. */
  failNext: RevokeError | undefined;
  /** Every call, as `<system>:<call>`, shared between systems to see their order. */
  events: string[] = [];

  constructor(
    readonly id: SystemId,
    readonly label: string,
    readonly capabilities: ProviderCapabilities = {
      listSessions: true,
      revokeSelected: true,
      asyncRevoke: false,
      scopes: false,
      listingCoversRevokeAll: true,
    },
  ) {}

  add(email: string, accountId: string, sessionIds: string[] = []): this {
    this.accounts.set(email, [
      ...(this.accounts.get(email) ?? []),
      { system: this.id, id: accountId, login: email },
    ]);
    this.sessions.set(
      accountId,
      sessionIds.map((id) => ({ id, device: `${id} device`, ip: '10.0.0.1' })),
    );
    return this;
  }

  async findAccount(person: Person): Promise<AccountLookup> {
    this.events.push(`${this.id}:find`);
    const found = this.accounts.get(person.email ?? '') ?? [];
    const [account, ...more] = found;
    if (!account) return { status: 'not_found', detail: 'no such account' };
    if (more.length > 0) return { status: 'ambiguous', candidates: found.length, detail: 'several' };
    return { status: 'found', account };
  }

  async listSessions(account: Account): Promise<Session[]> {
    return this.sessions.get(account.id) ?? [];
  }

  async revokeAll(account: Account) {
    this.events.push(`${this.id}:revoke`);
    this.takeFailure();
    this.revoked.push({ account: account.id, ids: 'all' });
    const n = this.sessions.get(account.id)?.length ?? 0;
    this.sessions.set(account.id, []);
    return { state: 'revoked' as const, count: n };
  }

  async revokeSessions(account: Account, ids: string[]) {
    this.takeFailure();
    this.revoked.push({ account: account.id, ids });
    this.sessions.set(
      account.id,
      (this.sessions.get(account.id) ?? []).filter((s) => !ids.includes(s.id)),
    );
    return { state: 'revoked' as const, count: ids.length };
  }

  private takeFailure(): void {
    const e = this.failNext;
    this.failNext = undefined;
    if (e) throw e;
  }
}

/** A vendor error as the providers raise it, with a hint for the admin. */
export function vendorError(message: string, hint: string): RevokeError {
  return new RevokeError(message, { code: ErrorCode.VendorAuth, vendorCode: 'missing_scope', hint });
}

/** A directory held in memory. */
export class MemoryDirectory implements PeopleDirectory {
  readonly users = new Map<string, DirectoryUser>();

  add(id: string, email: string, extra: Partial<DirectoryUser> = {}): this {
    this.users.set(id, {
      id,
      name: email.split('@')[0] ?? id,
      realName: undefined,
      email,
      deleted: false,
      isBot: false,
      isPrimaryOwner: false,
      ...extra,
    });
    return this;
  }

  async getUser(id: string) {
    return this.users.get(id);
  }

  async findByEmail(email: string) {
    return [...this.users.values()].find((u) => u.email === email);
  }
}

export interface WorldOptions {
  requesters?: PrincipalList;
  approvers?: PrincipalList;
  protectedUsers?: PrincipalList;
  breakGlassUsers?: PrincipalList;
  requireApproval?: boolean;
}

/**
 * The engine over an in-memory SQLite store, in-memory systems and directory, and a fixed clock
 * that tests move by hand.
 */
export function world(systems: MemorySystem[], options: WorldOptions = {}) {
  let clock = Date.parse('2026-12-01T10:00:00.000Z');
  const store = new SqliteStore(':memory:');
  const directory = new MemoryDirectory();
  const logs: string[] = [];
  const logger = new RedactingLogger(new Redactor([]), 'debug', captureLogs(logs));
  const approvals = new Approvals(
    {
      requireApproval: options.requireApproval ?? false,
      requesters: options.requesters ?? users('UREQ', 'UAPP'),
      approvers: options.approvers ?? users('UAPP'),
      protectedUsers: options.protectedUsers ?? users(),
      breakGlassUsers: options.breakGlassUsers ?? users(),
      ttlMs: 3_600_000,
    },
    new MembershipChecker(async () => []),
  );
  let ids = 0;
  const engine = new RevocationEngine({
    store,
    providers: new Map(systems.map((s) => [s.id, s])),
    logger,
    vendorCalls: vendorCallScope,
    approvals,
    directory,
    now: () => new Date(clock),
    newId: () => `r-${String(++ids).padStart(8, '0')}-00000000`,
    sleep: async () => {},
    verifyRecheckMs: 0,
  });
  return {
    engine,
    store,
    directory,
    logs,
    advance: (ms: number) => {
      clock += ms;
    },
    ready: () => store.migrate(),
    /** The requester UREQ, and people UP0… each with an account (mm-0…) and one session in `system`. */
    people: (system: MemorySystem, count: number) => {
      directory.add('UREQ', 'bob@example.com');
      for (let i = 0; i < count; i++) {
        directory.add(`UP${i}`, `p${i}@example.com`);
        system.add(`p${i}@example.com`, `mm-${i}`, [`s${i}`]);
      }
    },
    actions: async () => (await store.listAudit()).map((a) => a.action),
  };
}
