/**
 * The contract every provider keeps, run against its fake (test/fakes/systems.ts) and built
 * the way the app builds it: from its registry descriptor (configure → create). Where vendors
 * differ, the expectations say what this system does, so the suite documents it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorCode, RevokeError } from '../../src/errors.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import type { ProviderDeps } from '../../src/providers/descriptor.js';
import { VendorHttp } from '../../src/providers/http.js';
import type { RegisteredSystem } from '../../src/providers/registry.js';
import type { Account, AccountLookup, SessionProvider } from '../../src/providers/types.js';
import { listSessionsOf, revokeChosenOf } from '../../src/providers/types.js';
import type { ContractFault, FakeSystem } from '../fakes/systems.js';
import { captureLogs } from '../helpers/capture.js';

/** What this system does where the vendors differ. */
export interface SystemExpectations {
  /** A deactivated account: refused (`not_allowed`), or not modelled by the vendor API we call. */
  deactivated: 'not_allowed' | 'not_modelled';
  /**
   * Asked to end another account's session id under this account: whether that session survives,
   * and whether the outcome still counts it as ended (the engine refuses such ids before any call).
   */
  foreignSession: { survives: boolean; countedAsEnded: boolean };
  /** The code of a 404 from the revoke-all call (Slack's `user_not_found` is an identity mismatch). */
  notFoundOnRevoke: ErrorCode;
  /**
   * The request (path from the fake's root) a non-idempotent call would send on the revoke route, to show a timeout there is
   * outcome-unknown; undefined when the system is not on the shared HTTP layer (Slack: every method
   * it calls is idempotent and is retried).
   */
  nonIdempotentRevoke?: ((accountId: string) => { method: 'POST'; path: string }) | undefined;
}

const POLICY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxTotalMs: 30_000 };
const TIMEOUT_MS = 300;

/** Runs the provider contract for one registered system against its fake. */
export function providerContract(
  system: RegisteredSystem,
  makeFake: () => FakeSystem,
  expected: SystemExpectations,
): void {
  let fake: FakeSystem;
  let provider: SessionProvider;
  let logs: string[];
  let waits: number[];
  let ids: { alice: string; bob: string };

  const build = (): SessionProvider => {
    const problems: string[] = [];
    const settings = system.configure(fake.env(), problems);
    expect(problems).toEqual([]);
    expect(settings).toBeDefined();
    const deps: ProviderDeps = {
      logger: new RedactingLogger(new Redactor(), 'debug', captureLogs(logs)),
      retryPolicy: POLICY,
      sleep: async (ms) => {
        waits.push(ms);
      },
      timeoutMs: TIMEOUT_MS,
    };
    const create = system.create as (c: unknown, d: ProviderDeps) => SessionProvider | undefined;
    const built = create(settings, fake.deps(deps));
    if (!built) throw new Error(`${system.id}: the descriptor built no provider`);
    return built;
  };

  const found = async (email: string): Promise<Account> => {
    const lookup = await provider.findAccount({ email });
    if (lookup.status !== 'found') throw new Error(`${email}: ${lookup.status}`);
    return lookup.account;
  };

  const failing = async (call: () => Promise<unknown>): Promise<RevokeError> => {
    try {
      await call();
    } catch (error) {
      expect(error).toBeInstanceOf(RevokeError);
      return error as RevokeError;
    }
    throw new Error('expected the call to fail');
  };

  const failTimes = (route: string, fault: ContractFault, times = POLICY.maxAttempts) => {
    for (let i = 0; i < times; i++) fake.fail(route, fault);
  };

  /** No credential of the fake in anything the error or the logs say. */
  const expectNoSecrets = (error: RevokeError) => {
    const said = [error.message, error.hint, error.vendorCode, error.requestId, ...logs];
    for (const secret of fake.secrets) {
      for (const text of said) if (text !== undefined) expect(text).not.toContain(secret);
    }
  };

  beforeEach(async () => {
    fake = makeFake();
    await fake.start();
    logs = [];
    waits = [];
    ids = {
      alice: fake.addPerson({ name: 'alice', email: 'alice@example.com', sessions: 2 }),
      bob: fake.addPerson({ name: 'bob', email: 'bob@example.com', sessions: 1 }),
    };
    provider = build();
  });

  afterEach(async () => {
    await fake.close();
  });

  it('is the system its descriptor says: id, label, capabilities', () => {
    expect(provider.id).toBe(system.id);
    expect(provider.label).toBe(system.label);
    expect(provider.capabilities).toEqual(system.capabilities);
    // The optional methods are there exactly when the capabilities say so (no method that only throws).
    expect(typeof provider.listSessions === 'function').toBe(system.capabilities.listSessions);
    expect(typeof provider.revokeSessions === 'function').toBe(system.capabilities.revokeSelected);
  });

  describe('finding the person', () => {
    it('an exact email finds exactly that account, not one with a longer or shorter address', async () => {
      fake.addPerson({ name: 'xalice', email: 'xalice@example.com', sessions: 0 });
      fake.addPerson({ name: 'alice2', email: 'alice@example.com.evil.test', sessions: 0 });
      const lookup = await provider.findAccount({ email: 'alice@example.com' });
      expect(lookup.status).toBe('found');
      const account = (lookup as Extract<AccountLookup, { status: 'found' }>).account;
      expect(account.system).toBe(system.id);
      expect(account.id).toBe(ids.alice);
      expect((await found('bob@example.com')).id).toBe(ids.bob);
    });

    it('two candidates for one person is never an account', async () => {
      const { person } = fake.makeAmbiguous('kate@example.com', 'kate2');
      fake.addPerson({ name: 'kate', email: 'kate@example.com', sessions: 1 });
      let outcome: string;
      try {
        outcome = (await provider.findAccount(person)).status;
      } catch (error) {
        outcome = error instanceof RevokeError ? error.code : 'thrown';
      }
      expect(['ambiguous', ErrorCode.IdentityMismatch]).toContain(outcome);
    });

    it('no account: not_found, and nothing else is called', async () => {
      const lookup = await provider.findAccount({ email: 'nobody@example.com' });
      expect(lookup.status).toBe('not_found');
      expect(fake.calls(fake.routes.revokeAll)).toBe(0);
    });

    it(`a deactivated account: ${expected.deactivated}`, async () => {
      fake.addPerson({ name: 'dora', email: 'dora@example.com', sessions: 0, deactivated: true });
      const lookup = await provider.findAccount({ email: 'dora@example.com' });
      expect(lookup.status).toBe(expected.deactivated === 'not_allowed' ? 'not_allowed' : 'found');
    });
  });

  describe('sessions', () => {
    it.runIf(system.capabilities.listSessions)('lists exactly the account’s own sessions', async () => {
      const sessions = await listSessionsOf(provider, await found('alice@example.com'));
      expect(sessions.map((s) => s.id).sort()).toEqual(fake.liveSessions('alice').sort());
      expect(sessions).toHaveLength(2);
      for (const id of fake.liveSessions('bob')) expect(sessions.map((s) => s.id)).not.toContain(id);
    });

    it(`revoke-all ends the account’s sessions (${system.capabilities.asyncRevoke ? 'queued' : 'revoked'}) and no one else’s`, async () => {
      const bobBefore = fake.liveSessions('bob');
      const outcome = await provider.revokeAll(await found('alice@example.com'), { scope: 'all' });
      expect(outcome.state).toBe(system.capabilities.asyncRevoke ? 'queued' : 'revoked');
      expect(fake.revokedAll('alice')).toBe(true);
      expect(fake.revokedAll('bob')).toBe(false);
      expect(fake.liveSessions('bob')).toEqual(bobBefore);
    });

    it.runIf(system.capabilities.revokeSelected)('revoke-chosen ends the chosen session only', async () => {
      const [chosen, kept] = fake.liveSessions('alice');
      const outcome = await revokeChosenOf(provider, await found('alice@example.com'), [chosen ?? '']);
      expect(outcome).toMatchObject({ state: 'revoked', count: 1 });
      expect(fake.liveSessions('alice')).toEqual([kept]);
    });

    it.runIf(system.capabilities.revokeSelected)(
      `another account’s session id asked under this account: ${expected.foreignSession.survives ? 'survives' : 'is ended (the engine refuses it first)'}`,
      async () => {
        const [bobs] = fake.liveSessions('bob');
        const outcome = await revokeChosenOf(provider, await found('alice@example.com'), [bobs ?? '']);
        expect(fake.liveSessions('bob').includes(bobs ?? '')).toBe(expected.foreignSession.survives);
        expect(outcome.state).toBe('revoked');
        expect((outcome.count ?? 0) > 0).toBe(expected.foreignSession.countedAsEnded);
        expect(fake.liveSessions('alice')).toHaveLength(2);
      },
    );
  });

  describe('vendor errors, in the vendor’s own bodies and headers', () => {
    it.each([
      401, 403,
    ] as const)('%i on the lookup: vendor_auth, not retryable, no secret said', async (status) => {
      failTimes(fake.routes.lookup, { kind: 'status', status });
      const error = await failing(() => provider.findAccount({ email: 'alice@example.com' }));
      expect(error.code).toBe(ErrorCode.VendorAuth);
      expect(error.retryable).toBe(false);
      expect(error.system).toBe(system.id);
      expectNoSecrets(error);
    });

    it('404 on revoke-all: refused with the vendor’s reason, never reported done', async () => {
      const account = await found('alice@example.com');
      failTimes(fake.routes.revokeAll, { kind: 'status', status: 404 });
      const error = await failing(() => provider.revokeAll(account, { scope: 'all' }));
      expect(error.code).toBe(expected.notFoundOnRevoke);
      expect(error.retryable).toBe(false);
      expectNoSecrets(error);
    });

    it('one 503 on the lookup is retried and the lookup succeeds', async () => {
      fake.fail(fake.routes.lookup, { kind: 'status', status: 503 });
      expect((await found('alice@example.com')).id).toBeTruthy();
      expect(fake.calls(fake.routes.lookup)).toBeGreaterThanOrEqual(2);
    });

    it('500 on every attempt of revoke-all: vendor_unavailable after the budget, retryable', async () => {
      const account = await found('alice@example.com');
      failTimes(fake.routes.revokeAll, { kind: 'status', status: 500 });
      const error = await failing(() => provider.revokeAll(account, { scope: 'all' }));
      expect(error.code).toBe(ErrorCode.VendorUnavailable);
      expect(error.retryable).toBe(true);
      expect(fake.calls(fake.routes.revokeAll)).toBe(POLICY.maxAttempts);
      expectNoSecrets(error);
    });

    it('a 429 waits as long as the vendor’s own header says, then succeeds', async () => {
      fake.fail(fake.routes.lookup, { kind: 'rate_limited', seconds: 2 });
      expect((await found('alice@example.com')).id).toBeTruthy();
      expect(waits).toContain(2_000);
    });

    it('429 on every attempt: rate_limited, retryable', async () => {
      failTimes(fake.routes.lookup, { kind: 'rate_limited', seconds: 1 });
      const error = await failing(() => provider.findAccount({ email: 'alice@example.com' }));
      expect(error.code).toBe(ErrorCode.RateLimited);
      expect(error.retryable).toBe(true);
      expectNoSecrets(error);
    });

    it('revoke-all that never answers in time is retried, then reported not done (retryable), never revoked', async () => {
      const account = await found('alice@example.com');
      failTimes(fake.routes.revokeAll, { kind: 'timeout', delayMs: TIMEOUT_MS * 3 });
      const error = await failing(() => provider.revokeAll(account, { scope: 'all' }));
      expect([ErrorCode.VendorUnavailable, ErrorCode.OutcomeUnknown]).toContain(error.code);
      expect(error.retryable).toBe(true);
      expectNoSecrets(error);
    });

    it.runIf(expected.nonIdempotentRevoke !== undefined && system.quirks !== undefined)(
      'a non-idempotent call that times out is outcome_unknown and is not repeated',
      async () => {
        const account = await found('alice@example.com');
        const calls = fake.calls(fake.routes.revokeAll);
        fake.fail(fake.routes.revokeAll, { kind: 'timeout', delayMs: TIMEOUT_MS * 3 });
        const request = expected.nonIdempotentRevoke?.(account.id) ?? { method: 'POST', path: '/' };
        const http = new VendorHttp({
          system: system.id,
          baseUrl: fake.url(),
          logger: new RedactingLogger(new Redactor(), 'debug', captureLogs(logs)),
          secrets: [...fake.secrets],
          quirks: system.quirks ?? (undefined as never),
          retryPolicy: POLICY,
          sleep: async () => {},
          timeoutMs: TIMEOUT_MS,
        });
        const error = await failing(() =>
          http.request({ operation: 'revoke', ...request, json: {}, idempotent: false, schema: z.unknown() }),
        );
        expect(error.code).toBe(ErrorCode.OutcomeUnknown);
        expect(fake.calls(fake.routes.revokeAll)).toBe(calls + 1);
        expectNoSecrets(error);
      },
    );
  });
}
