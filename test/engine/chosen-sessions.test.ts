import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RevocationEngine } from '../../src/engine/engine.js';
import type { NewRequest } from '../../src/engine/types.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { vendorCallScope } from '../../src/providers/call-scope.js';
import { createMattermostProvider } from '../../src/providers/mattermost/index.js';
import type { Account, ProviderMap, SessionProvider } from '../../src/providers/types.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeMattermost, MATTERMOST_TOKEN } from '../fakes/mattermost.js';
import { captureLogs } from '../helpers/capture.js';

/**
 * The engine's own check, for every system: a chosen session is revoked only when the system lists
 * it for the person's account when the step runs — whether or not the vendor would scope the call.
 */
describe('engine: chosen sessions must be listed for the account at execution', () => {
  const fake = new FakeMattermost();
  const logs: string[] = [];
  const logger = new RedactingLogger(new Redactor([MATTERMOST_TOKEN]), 'debug', captureLogs(logs));
  let store: SqliteStore;

  beforeAll(async () => {
    await fake.start();
    fake.users.push(
      { id: 'mm-alice', email: 'alice@example.com', username: 'alice' },
      { id: 'mm-bob', email: 'bob@example.com', username: 'bob' },
    );
  });
  afterAll(() => fake.close());
  beforeEach(async () => {
    fake.sessions = [
      { id: 's-alice', user_id: 'mm-alice', token: 'T-A', create_at: 1, last_activity_at: 2 },
      { id: 's-bob', user_id: 'mm-bob', token: 'T-B', create_at: 1, last_activity_at: 2 },
    ];
    store = new SqliteStore(':memory:');
    await store.migrate();
  });

  const request = (selection: string[], system: 'mattermost' | 'blind' = 'mattermost'): NewRequest => ({
    source: 'cli',
    requester: { kind: 'cli', id: 'tester' },
    target: { email: 'alice@example.com' },
    systems: [system as 'mattermost'],
    slackScope: 'all',
    selection: { [system]: selection },
    reason: 'INC-1',
  });
  const engineWith = (providers: ProviderMap) =>
    new RevocationEngine({
      store,
      providers,
      logger,
      vendorCalls: vendorCallScope,
      sleep: async () => {},
      verifyRecheckMs: 0,
    });

  it('Mattermost: another user’s session id is refused before any revoke call is sent', async () => {
    const mm = createMattermostProvider(
      { url: fake.url, token: MATTERMOST_TOKEN },
      { logger, retryPolicy: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxTotalMs: 1_000 } },
    );
    const engine = engineWith(new Map([['mattermost', mm]]));
    const { request: r } = await engine.submit(request(['s-bob', 's-alice']), { needsApproval: false });
    const before = fake.requestsTo('revoke').length;
    await engine.run(r.id);
    const [step] = await store.listSteps(r.id);
    expect(step?.state).toBe('partial');
    expect(step?.result?.refusedSessions).toEqual(['s-bob']);
    const sent = fake.requestsTo('revoke').slice(before);
    expect(sent.map((q) => [q.path, (q.body as { session_id?: string }).session_id])).toEqual([
      ['/api/v4/users/mm-alice/sessions/revoke', 's-alice'],
    ]);
    expect(fake.sessions.map((s) => s.id)).toEqual(['s-bob']);
    const notOwned = (await store.listAudit({ requestId: r.id })).filter(
      (a) => a.action === 'session_not_owned',
    );
    expect(notOwned.map((a) => a.data.sessionIds)).toEqual([['s-bob']]);
  });

  it('a system that cannot list sessions never revokes chosen ones (they cannot be checked)', async () => {
    const revoked: string[][] = [];
    const account: Account = { system: 'blind' as 'mattermost', id: 'b-1', login: 'alice@example.com' };
    const blind: SessionProvider = {
      id: 'blind' as 'mattermost',
      label: 'Blind',
      capabilities: {
        listSessions: false,
        revokeSelected: true,
        asyncRevoke: false,
        scopes: false,
        listingCoversRevokeAll: false,
      },
      findAccount: async () => ({ status: 'found', account }),
      listSessions: async () => [],
      revokeAll: async () => ({ state: 'revoked' }),
      revokeSessions: async (_a, ids) => {
        revoked.push(ids);
        return { state: 'revoked', count: ids.length };
      },
    };
    const engine = engineWith(new Map([['blind' as 'mattermost', blind]]));
    const { request: r } = await engine.submit(request(['x-1'], 'blind'), { needsApproval: false });
    await engine.run(r.id);
    const [step] = await store.listSteps(r.id);
    expect(step?.state).toBe('not_allowed');
    expect(step?.result?.refusedSessions).toEqual(['x-1']);
    expect(revoked).toEqual([]);
  });
});
