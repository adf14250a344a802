import { beforeEach, describe, expect, it } from 'vitest';
import type { Ask } from '../../src/engine/request.js';
import { MemorySystem, users, world } from './world.js';

/** The one use case, "request a revocation", as every surface calls it. */
describe('engine.ask', () => {
  let mm: MemorySystem;
  let w: ReturnType<typeof world>;
  const ask = (over: Partial<Ask> = {}): Ask => ({
    source: 'slash_command',
    requester: { kind: 'slack', id: 'UREQ' },
    people: [{ kind: 'user', userId: 'UALICE' }],
    systems: ['mattermost'],
    slackScope: 'all',
    reason: 'INC-1',
    ...over,
  });

  beforeEach(async () => {
    mm = new MemorySystem('mattermost', 'Mattermost').add('alice@example.com', 'mm-alice', ['s1', 's2']);
    w = world([mm], { protectedUsers: users('UPROT') });
    await w.ready();
    w.directory
      .add('UREQ', 'bob@example.com')
      .add('UALICE', 'alice@example.com')
      .add('UPROT', 'prot@example.com')
      .add('UBOT', 'bot@example.com', { isBot: true })
      .add('UGONE', 'gone@example.com', { deleted: true })
      .add('UOWNER', 'owner@example.com', { isPrimaryOwner: true });
  });

  it('refuses someone who may not request, records nothing, and audits the attempt', async () => {
    const result = await w.engine.ask(ask({ requester: { kind: 'slack', id: 'UMAL' } }));
    expect(result).toMatchObject({ ok: false, code: 'not_a_requester' });
    expect(await w.store.listRequestsForTarget('UALICE', 5)).toEqual([]);
    expect(await w.actions()).toEqual(['request_refused']);
  });

  it('runs at once when no policy asks for an approver', async () => {
    const result = await w.engine.ask(ask());
    if (!result.ok) throw new Error(result.message);
    expect(result.next).toBe('run');
    expect(result.request.status).toBe('approved');
    expect(result.request.target).toEqual({
      slackUserId: 'UALICE',
      email: 'alice@example.com',
      displayName: 'alice',
    });
    expect(result.request.plan).toBeUndefined();
  });

  it('waits for an approver for automated sources and protected people, and says why in the plan', async () => {
    const fromApi = await w.engine.ask(ask({ source: 'api', requester: { kind: 'api', id: 'edr' } }));
    const protectedOne = await w.engine.ask(ask({ people: [{ kind: 'user', userId: 'UPROT' }] }));
    if (!fromApi.ok || !protectedOne.ok) throw new Error('refused');
    expect(fromApi.next).toBe('approve');
    expect(fromApi.request.plan?.approvalReason).toBe(
      'requests from automated sources always need an approver',
    );
    expect(protectedOne.request.plan).toMatchObject({
      protectedTarget: true,
      approvalReason: 'the person is protected (REVOKE_PROTECTED_USERS)',
    });
    // What the approver is shown is stored with the request: the account and sessions as listed now.
    const shown = fromApi.request.plan?.preview?.[0];
    expect(shown?.lookup).toMatchObject({ status: 'found', account: { id: 'mm-alice' } });
    expect(shown?.sessions?.map((s) => s.id)).toEqual(['s1', 's2']);
  });

  it('one set of refusal rules: bots, the Primary Owner and deactivated users named by ID are refused', async () => {
    for (const id of ['UBOT', 'UOWNER', 'UGONE', 'UNOBODY']) {
      const result = await w.engine.ask(ask({ people: [{ kind: 'user', userId: id }] }));
      expect(result.ok, id).toBe(false);
    }
    const bulk = await w.engine.ask(
      ask({
        people: [
          { kind: 'user', userId: 'UBOT' },
          { kind: 'user', userId: 'UALICE' },
        ],
      }),
    );
    if (!bulk.ok) throw new Error(bulk.message);
    expect(bulk.request.target.slackUserId).toBe('UALICE');
    expect(bulk.refusedPeople).toHaveLength(1);
    expect(bulk.refusedPeople[0]).toMatch(/bot or app user/);
  });

  it('an email outside Slack is a person for the alert API and the CLI, not for the modal', async () => {
    const modal = await w.engine.ask(ask({ people: [{ kind: 'email', email: 'ext@example.com' }] }));
    expect(modal).toMatchObject({ ok: false, code: 'no_person' });
    const cli = await w.engine.ask(
      ask({
        source: 'cli',
        requester: { kind: 'cli', id: 'root' },
        people: [{ kind: 'email', email: 'Ext@Example.com' }],
        bypassApproval: { via: 'break-glass CLI' },
      }),
    );
    if (!cli.ok) throw new Error(cli.message);
    expect(cli.request.target).toEqual({ email: 'ext@example.com' });
    // A deactivated Slack user named by email: still acted on elsewhere, as the email alone.
    const gone = await w.engine.ask(
      ask({
        source: 'api',
        requester: { kind: 'api', id: 'edr' },
        people: [{ kind: 'email', email: 'gone@example.com' }],
      }),
    );
    if (!gone.ok) throw new Error(gone.message);
    expect(gone.request.target).toEqual({ email: 'gone@example.com' });
  });

  it('the break-glass CLI runs at once, and its bypass is recorded with the request', async () => {
    const result = await w.engine.ask(
      ask({
        source: 'cli',
        requester: { kind: 'cli', id: 'root' },
        people: [{ kind: 'user', userId: 'UPROT' }],
        bypassApproval: { via: 'break-glass CLI', host: 'root@host' },
      }),
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.next).toBe('run');
    expect(await w.actions()).toEqual(['request_created', 'approval_bypassed']);
  });

  it('plans chosen sessions from the person’s own listing; other ids are on record as refused', async () => {
    const result = await w.engine.ask(ask({ selection: { mattermost: ['s2', 'someone-else'] } }));
    if (!result.ok) throw new Error(result.message);
    expect(result.request.plan?.chosenSessions?.mattermost?.map((s) => s.id)).toEqual(['s2']);
    const audit = await w.store.listAudit();
    expect(audit.map((a) => a.action)).toEqual(['request_created', 'session_not_owned']);
    expect(audit[1]?.data).toMatchObject({ sessionIds: ['someone-else'], phase: 'request' });
  });

  it('refuses what cannot be asked before looking anyone up', async () => {
    const cases: Partial<Ask>[] = [
      { systems: [] },
      { systems: ['box'] },
      { people: [] },
      { reason: '  ' },
      {
        people: [
          { kind: 'user', userId: 'UALICE' },
          { kind: 'user', userId: 'UREQ' },
        ],
        selection: { mattermost: ['s1'] },
      },
    ];
    for (const c of cases) expect(await w.engine.ask(ask(c))).toMatchObject({ ok: false, code: 'invalid' });
    expect(await w.actions()).toEqual([]);
  });

  it('answers the first request for a repeated idempotency key', async () => {
    const first = await w.engine.ask(ask({ idempotencyKey: 'k-1' }));
    const again = await w.engine.ask(ask({ idempotencyKey: 'k-1' }));
    if (!first.ok || !again.ok) throw new Error('refused');
    expect([first.created, again.created]).toEqual([true, false]);
    expect(again.request.id).toBe(first.request.id);
  });
});
