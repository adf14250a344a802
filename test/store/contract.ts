import { expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import { IntakeTakenError, type Store } from '../../src/engine/store-port/index.js';
import type { NewRequest } from '../../src/engine/types.js';
import { captureStoreAudit } from '../helpers/capture.js';

/** Raw access a backend gives the contract for tamper tests (bypassing the append-only triggers). */
export interface RawAccess {
  /** Changes the data of audit record `seq` behind the store's back. */
  editAudit(seq: number, data: string): Promise<void>;
  /** Deletes audit record `seq` behind the store's back. */
  deleteAudit(seq: number): Promise<void>;
  /** Runs plain SQL as an application would (triggers active); rejects when the database refuses. */
  exec(sql: string): Promise<void>;
}

const NOW = '2026-11-22T10:00:00.000Z';
const later = (s: number) => new Date(Date.parse(NOW) + s * 1000).toISOString();

export function newRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  return {
    source: 'slash_command',
    requester: { kind: 'slack', id: 'UREQ' },
    target: { slackUserId: 'UALICE', email: 'alice@example.com', displayName: 'Alice' },
    systems: ['slack', 'box'],
    slackScope: 'web',
    selection: { slack: ['1@T1'] },
    reason: 'INC-1 <b>',
    origin: { channelId: 'C1' },
    ...overrides,
  };
}

/** Runs a test body on a fresh store from `open`, then captures its audit records (for the run's secrets scan) and closes it. */
export function onFreshStore(open: () => Promise<Store>): (fn: (s: Store) => Promise<void>) => Promise<void> {
  return async (fn) => {
    const store = await open();
    try {
      await fn(store);
    } finally {
      await captureStoreAudit(store);
      await store.close();
    }
  };
}

/** The same, by the name the proof contract uses. */
export const storeUser = onFreshStore;

/**
 * One behavioural contract for every Store implementation. Each call to `open`
 * must return a store on a fresh, empty database (migrated).
 */
export function storeContract(open: () => Promise<Store>, raw: (store: Store) => RawAccess): void {
  const withStore = onFreshStore(open);

  it('migrates idempotently', () =>
    withStore(async (s) => {
      await s.migrate();
      await s.migrate();
    }));

  it('round-trips every field of a request and creates one pending step per system and person', () =>
    withStore(async (s) => {
      const input = newRequest({ additionalTargets: [{ slackUserId: 'UBOB', email: 'bob@example.com' }] });
      const { request, created } = await s.createRequest('r-1', input, 'pending_approval', NOW, {
        expiresAt: later(3600),
        idempotencyKey: 'k-1',
        workflow: { functionExecutionId: 'Fx1', botAccessToken: 'xwfp-secret' },
      });
      expect(created).toBe(true);
      const read = await s.getRequest('r-1');
      expect(read).toEqual(request);
      expect(read).toMatchObject({
        ...input,
        id: 'r-1',
        status: 'pending_approval',
        expiresAt: later(3600),
        idempotencyKey: 'k-1',
      });
      const steps = await s.listSteps('r-1');
      expect(steps.map((x) => [x.key, x.system, x.targetIndex, x.state, x.attempts])).toEqual([
        ['slack', 'slack', 0, 'pending', 0],
        ['box', 'box', 0, 'pending', 0],
        ['slack#1', 'slack', 1, 'pending', 0],
        ['box#1', 'box', 1, 'pending', 0],
      ]);
      expect(await s.getRequest('nope')).toBeUndefined();
    }));

  it('returns the first request for a repeated idempotency key', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'approved', NOW, { idempotencyKey: 'same' });
      const again = await s.createRequest('r-2', newRequest({ reason: 'other' }), 'approved', NOW, {
        idempotencyKey: 'same',
      });
      expect(again.created).toBe(false);
      expect(again.request.id).toBe('r-1');
      expect(await s.getRequest('r-2')).toBeUndefined();
    }));

  it('patches steps and requests; compare-and-set only changes the expected status', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'pending_approval', NOW);
      await s.updateStep('r-1', 'box', {
        state: 'queued',
        attempts: 1,
        result: { vendorRequestId: 'v1' },
        finishedAt: later(1),
      });
      expect((await s.listSteps('r-1')).find((x) => x.key === 'box')).toMatchObject({
        state: 'queued',
        attempts: 1,
        result: { vendorRequestId: 'v1' },
      });
      expect(
        await s.updateRequest('r-1', { status: 'approved', decidedBy: 'slack:UAPP' }, later(2), ['denied']),
      ).toBe(false);
      expect((await s.getRequest('r-1'))?.status).toBe('pending_approval');
      expect(
        await s.updateRequest(
          'r-1',
          { status: 'approved', decidedBy: 'slack:UAPP', breakGlass: true },
          later(2),
          ['pending_approval'],
        ),
      ).toBe(true);
      expect(await s.getRequest('r-1')).toMatchObject({
        status: 'approved',
        decidedBy: 'slack:UAPP',
        breakGlass: true,
        updatedAt: later(2),
      });
      await s.updateRequest('r-1', { thread: { channel: 'C1', ts: '1.2' }, summary: '1 revoked' }, later(3));
      expect(await s.getRequest('r-1')).toMatchObject({
        thread: { channel: 'C1', ts: '1.2' },
        summary: '1 revoked',
      });
    }));

  it('lets exactly one of many concurrent compare-and-sets win', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'pending_approval', NOW);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          s.updateRequest('r-1', { status: i % 2 ? 'approved' : 'denied', decidedBy: `slack:U${i}` }, NOW, [
            'pending_approval',
          ]),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    }));

  it('creates a request and its audit record in one write, or neither', () =>
    withStore(async (s) => {
      const audit = { actor: 'slack:UREQ', action: 'request_created', data: { reason: 'phished' } };
      const first = await s.createRequest('r-1', newRequest(), 'approved', NOW, {
        idempotencyKey: 'k',
        audit,
      });
      const again = await s.createRequest('r-2', newRequest(), 'approved', NOW, {
        idempotencyKey: 'k',
        audit,
      });
      expect([first.created, again.created]).toEqual([true, false]);
      expect(await s.listAudit()).toMatchObject([{ seq: 1, requestId: 'r-1', action: 'request_created' }]);
      // An audit record that cannot be written (a BigInt does not serialise) takes the request with it.
      const broken = { actor: 'x', action: 'request_created', data: { n: 1n } };
      await expect(
        s.createRequest('r-3', newRequest(), 'approved', NOW, { audit: broken }),
      ).rejects.toThrow();
      expect(await s.getRequest('r-3')).toBeUndefined();
      expect(await s.listSteps('r-3')).toEqual([]);
      expect(verifyChain(await s.listAudit()).ok).toBe(true);
    }));

  it('audits only the winning compare-and-set, in the same write as the change', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'pending_approval', NOW);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          s.updateRequest(
            'r-1',
            { status: 'approved', decidedBy: `slack:U${i}` },
            NOW,
            ['pending_approval'],
            {
              requestId: 'r-1',
              actor: `slack:U${i}`,
              action: 'approved',
            },
          ),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const audit = await s.listAudit();
      expect(audit).toHaveLength(1);
      expect(audit[0]?.actor).toBe((await s.getRequest('r-1'))?.decidedBy);
      await s.createRequest('r-2', newRequest(), 'pending_approval', NOW);
      const broken = { requestId: 'r-2', actor: 'x', action: 'denied', data: { n: 1n } };
      await expect(
        s.updateRequest('r-2', { status: 'denied' }, NOW, ['pending_approval'], broken),
      ).rejects.toThrow();
      expect((await s.getRequest('r-2'))?.status).toBe('pending_approval');
    }));

  it('claims with a lease: one owner at a time, taken over only after expiry', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'approved', NOW);
      expect(await s.listRunnable(NOW, 10)).toEqual(['r-1']);
      const claims = await Promise.all(['a', 'b', 'c'].map((o) => s.claim('r-1', o, later(30), NOW)));
      expect(claims.filter((c) => c !== undefined)).toEqual([1]);
      expect(await s.listRunnable(later(10), 10)).toEqual([]);
      expect(await s.claim('r-1', 'z', later(60), later(10))).toBeUndefined();
      expect(await s.listRunnable(later(31), 10)).toEqual(['r-1']);
      expect(await s.claim('r-1', 'z', later(90), later(31))).toBe(2);
      expect(await s.renewLease('r-1', 'a', later(120), later(32))).toBe(false);
      expect(await s.renewLease('r-1', 'z', later(120), later(32))).toBe(true);
      await s.releaseLease('r-1', 'z');
      expect((await s.getRequest('r-1'))?.status).toBe('running');
    }));

  it('fences claims: each claim of a request takes a higher token, recorded with its run record', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'approved', NOW);
      await s.createRequest('r-2', newRequest(), 'approved', NOW);
      const record = (previous: string, fence: number) => ({
        requestId: 'r-1',
        actor: 'engine',
        action: previous === 'running' ? 'run_resumed' : 'run_started',
        data: { fence },
      });
      expect(await s.claim('r-1', 'a', later(30), NOW, record)).toBe(1);
      // Within the lease nobody else gets it, and a refused claim takes no token.
      expect(await s.claim('r-1', 'b', later(40), later(10), record)).toBeUndefined();
      expect(await s.claim('r-1', 'b', later(61), later(31), record)).toBe(2);
      // The same owner claiming again after its own lease expired is a new claim too.
      expect(await s.claim('r-1', 'b', later(92), later(62))).toBe(3);
      // Tokens are per request.
      expect(await s.claim('r-2', 'a', later(30), NOW)).toBe(1);
      expect((await s.listAudit()).map((a) => [a.action, a.data])).toEqual([
        ['run_started', { fence: 1 }],
        ['run_resumed', { fence: 2 }],
      ]);
    }));

  it('refuses every write of a run whose claim was taken over: nothing changes, no audit record', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'approved', NOW);
      const started = (fence: number) => ({
        requestId: 'r-1',
        actor: 'engine',
        action: 'step_started',
        data: { fence },
      });
      const old = await s.claim('r-1', 'paused', later(30), NOW);
      expect(old).toBe(1);
      expect(
        await s.updateSteps(
          'r-1',
          [{ key: 'slack', patch: { state: 'running', attempts: 1, startedAt: later(1) } }],
          started(1),
          later(1),
          old,
        ),
      ).toBe(true);
      // The runner pauses past its lease; another takes the request over.
      const current = await s.claim('r-1', 'live', later(61), later(31));
      expect(current).toBe(2);
      expect(await s.holdsFence('r-1', 1)).toBe(false);
      expect(await s.holdsFence('r-1', 2)).toBe(true);
      expect(await s.holdsFence('nope', 2)).toBe(false);
      const before = { steps: await s.listSteps('r-1'), request: await s.getRequest('r-1') };
      const audit = await s.listAudit();

      // The paused runner wakes up: every write it makes with its token is refused.
      expect(
        await s.updateSteps(
          'r-1',
          [{ key: 'box', patch: { state: 'running', attempts: 1, startedAt: later(32) } }],
          started(1),
          later(32),
          old,
        ),
      ).toBe(false);
      expect(
        await s.finishStep(
          'r-1',
          'slack',
          { state: 'revoked', finishedAt: later(33), result: { revokedCount: 1 } },
          [
            { requestId: 'r-1', actor: 'engine', action: 'session_not_owned' },
            { requestId: 'r-1', actor: 'engine', action: 'step_finished', data: { fence: 1 } },
          ],
          later(33),
          old,
        ),
      ).toBeUndefined();
      expect(await s.updateStep('r-1', 'slack', { attempts: 9 }, old)).toBe(false);
      expect(
        await s.updateRequest(
          'r-1',
          { thread: { channel: 'C1', ts: '1.1' } },
          later(34),
          ['running'],
          undefined,
          [],
          old,
        ),
      ).toBe(false);
      expect(await s.renewLease('r-1', 'live', later(95), later(35), old)).toBe(false);
      await s.releaseLease('r-1', 'live', old);
      expect(await s.listSteps('r-1')).toEqual(before.steps);
      expect(await s.getRequest('r-1')).toEqual(before.request);
      expect(await s.listAudit()).toEqual(audit);
      // Still the live runner's: its lease holds, nobody may claim.
      expect(await s.listRunnable(later(40), 10)).toEqual([]);

      // The live runner's writes, with the current token, go through.
      const record = await s.finishStep(
        'r-1',
        'slack',
        { state: 'revoked', finishedAt: later(36) },
        { requestId: 'r-1', actor: 'engine', action: 'step_finished', data: { fence: 2 } },
        later(36),
        current,
      );
      expect(record).toMatchObject({ action: 'step_finished', data: { fence: 2 }, at: later(36) });
      expect(await s.updateStep('r-1', 'slack', { attempts: 2 }, current)).toBe(true);
      expect(await s.renewLease('r-1', 'live', later(95), later(37), current)).toBe(true);
      expect((await s.listSteps('r-1')).find((x) => x.key === 'slack')).toMatchObject({
        state: 'revoked',
        attempts: 2,
        finishedAt: later(36),
      });
      expect((await s.listAudit()).map((a) => [a.action, a.data.fence])).toEqual([
        ['step_started', 1],
        ['step_finished', 2],
      ]);
      expect(verifyChain(await s.listAudit()).ok).toBe(true);
    }));

  it('finishes a run only under its current token, and writes nothing for it after run_finished', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'approved', NOW);
      const finished = (fence: number) => ({
        requestId: 'r-1',
        actor: 'engine',
        action: 'run_finished',
        data: { fence },
      });
      const old = await s.claim('r-1', 'paused', later(30), NOW);
      const current = await s.claim('r-1', 'live', later(61), later(31));
      expect([old, current]).toEqual([1, 2]);
      expect(
        await s.updateRequest(
          'r-1',
          { status: 'done', summary: 'stale' },
          later(32),
          ['running'],
          finished(1),
          [],
          old,
        ),
      ).toBe(false);
      expect(await s.getRequest('r-1')).toMatchObject({ status: 'running', summary: undefined });
      expect(await s.listAudit()).toEqual([]);
      expect(
        await s.updateRequest(
          'r-1',
          { status: 'done', summary: '2 revoked' },
          later(33),
          ['running'],
          finished(2),
          [],
          current,
        ),
      ).toBe(true);
      expect(await s.holdsFence('r-1', 2)).toBe(false);
      expect(await s.getRequest('r-1')).toMatchObject({
        status: 'done',
        summary: '2 revoked',
        updatedAt: later(33),
      });
      // After run_finished, not even the token that finished it writes a step, a record or a second finish.
      expect(
        await s.finishStep(
          'r-1',
          'box',
          { state: 'revoked', finishedAt: later(34) },
          { requestId: 'r-1', actor: 'engine', action: 'step_finished' },
          later(34),
          current,
        ),
      ).toBeUndefined();
      expect(
        await s.updateSteps(
          'r-1',
          [{ key: 'box', patch: { state: 'running' } }],
          undefined,
          later(34),
          current,
        ),
      ).toBe(false);
      expect(
        await s.updateRequest('r-1', { status: 'failed' }, later(35), ['running'], finished(2), [], current),
      ).toBe(false);
      expect((await s.listSteps('r-1')).map((x) => x.state)).toEqual(['pending', 'pending']);
      expect((await s.listAudit()).map((a) => [a.action, a.data.fence])).toEqual([['run_finished', 2]]);
      // And a finished request is claimed by nobody (its token stays).
      expect(await s.claim('r-1', 'late', later(200), later(100))).toBeUndefined();
    }));

  it('a fenced write racing a takeover lands before the new claim or not at all', () =>
    withStore(async (s) => {
      for (let i = 0; i < 10; i++) {
        const id = `r-${i}`;
        await s.createRequest(id, newRequest(), 'approved', NOW);
        const old = await s.claim(id, 'paused', later(30), NOW);
        const [written, taken] = await Promise.all([
          s.finishStep(
            id,
            'slack',
            { state: 'revoked', finishedAt: later(31) },
            { requestId: id, actor: 'engine', action: 'step_finished' },
            later(31),
            old,
          ),
          s.claim(id, 'live', later(61), later(31), () => ({
            requestId: id,
            actor: 'engine',
            action: 'run_resumed',
          })),
        ]);
        expect(taken).toBe(2);
        const actions = (await s.listAudit({ requestId: id })).map((a) => a.action);
        const step = (await s.listSteps(id)).find((x) => x.key === 'slack');
        if (written) {
          expect(actions).toEqual(['step_finished', 'run_resumed']);
          expect(step?.state).toBe('revoked');
        } else {
          expect(actions).toEqual(['run_resumed']);
          expect(step?.state).toBe('pending');
        }
      }
      expect(verifyChain(await s.listAudit()).ok).toBe(true);
    }));

  it('finishes a step and audits it in one write', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'running', NOW);
      const record = await s.finishStep(
        'r-1',
        'box',
        { state: 'queued', finishedAt: later(1) },
        { requestId: 'r-1', actor: 'engine', action: 'step_finished', data: { system: 'box' } },
        later(1),
      );
      expect(record).toMatchObject({ seq: 1, action: 'step_finished' });
      expect((await s.listSteps('r-1')).find((x) => x.key === 'box')?.state).toBe('queued');
      expect(verifyChain(await s.listAudit()).ok).toBe(true);
    }));

  it('claims and records run_started / run_resumed in one write; a failed record takes the claim with it', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'approved', NOW);
      const record = (previous: string) => ({
        requestId: 'r-1',
        actor: 'engine',
        action: previous === 'running' ? 'run_resumed' : 'run_started',
      });
      const claims = await Promise.all(['a', 'b', 'c'].map((o) => s.claim('r-1', o, later(30), NOW, record)));
      expect(claims.filter((c) => c !== undefined)).toEqual([1]);
      // A dead runner's request, taken over after its lease: resumed.
      expect(await s.claim('r-1', 'z', later(90), later(31), record)).toBe(2);
      expect((await s.listAudit()).map((a) => a.action)).toEqual(['run_started', 'run_resumed']);
      await s.createRequest('r-2', newRequest(), 'approved', NOW);
      const broken = () => ({ requestId: 'r-2', actor: 'x', action: 'run_started', data: { n: 1n } });
      await expect(s.claim('r-2', 'a', later(30), NOW, broken)).rejects.toThrow();
      expect((await s.getRequest('r-2'))?.status).toBe('approved');
      expect(await s.listRunnable(NOW, 10)).toEqual(['r-2']);
      expect(verifyChain(await s.listAudit()).ok).toBe(true);
    }));

  it('starts several steps and records it in one write, or none of it', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'running', NOW);
      await s.updateSteps(
        'r-1',
        [
          { key: 'slack', patch: { state: 'running', attempts: 1, startedAt: later(1) } },
          { key: 'box', patch: { state: 'running', attempts: 1, startedAt: later(1) } },
        ],
        { requestId: 'r-1', actor: 'engine', action: 'bulk_started' },
        later(1),
      );
      expect((await s.listSteps('r-1')).map((x) => [x.key, x.state, x.attempts])).toEqual([
        ['slack', 'running', 1],
        ['box', 'running', 1],
      ]);
      await s.createRequest('r-2', newRequest(), 'running', NOW);
      const broken = { requestId: 'r-2', actor: 'x', action: 'step_started', data: { n: 1n } };
      await expect(
        s.updateSteps('r-2', [{ key: 'slack', patch: { state: 'running', attempts: 1 } }], broken, later(2)),
      ).rejects.toThrow();
      expect((await s.listSteps('r-2')).map((x) => x.state)).toEqual(['pending', 'pending']);
      expect((await s.listAudit()).map((a) => a.action)).toEqual(['bulk_started']);
    }));

  it('writes every record a create or a finished step brings, in order, in the same write', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'approved', NOW, {
        audit: [
          { actor: 'cli:root', action: 'request_created' },
          { actor: 'cli:root', action: 'approval_bypassed' },
        ],
      });
      await s.finishStep(
        'r-1',
        'slack',
        { state: 'not_allowed', result: { refusedSessions: ['9@T1'] } },
        [
          { requestId: 'r-1', actor: 'engine', action: 'session_not_owned' },
          { requestId: 'r-1', actor: 'engine', action: 'step_finished' },
        ],
        later(1),
      );
      expect((await s.listAudit()).map((a) => a.action)).toEqual([
        'request_created',
        'approval_bypassed',
        'session_not_owned',
        'step_finished',
      ]);
      expect((await s.listSteps('r-1'))[0]?.result?.refusedSessions).toEqual(['9@T1']);
      const broken = [
        { actor: 'cli:root', action: 'request_created' },
        { actor: 'cli:root', action: 'approval_bypassed', data: { n: 1n } },
      ];
      await expect(
        s.createRequest('r-2', newRequest(), 'approved', NOW, { audit: broken }),
      ).rejects.toThrow();
      expect(await s.getRequest('r-2')).toBeUndefined();
      expect(verifyChain(await s.listAudit()).ok).toBe(true);
    }));

  it('keeps the plan stored with a request', () =>
    withStore(async (s) => {
      const plan = {
        approvalReason: 'the person is protected (REVOKE_PROTECTED_USERS)',
        protectedTarget: true,
        chosenSessions: { slack: [{ id: '1@T1', device: 'Mac', ip: '10.0.0.1' }] },
      };
      await s.createRequest('r-1', newRequest({ plan }), 'pending_approval', NOW);
      expect((await s.getRequest('r-1'))?.plan).toEqual(plan);
      await s.createRequest('r-2', newRequest(), 'approved', NOW);
      expect((await s.getRequest('r-2'))?.plan).toBeUndefined();
    }));

  it('finds lapsed approvals', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'pending_approval', NOW, { expiresAt: later(60) });
      await s.createRequest('r-2', newRequest(), 'pending_approval', NOW, { expiresAt: later(600) });
      expect(await s.listExpiredApprovals(later(59), 10)).toEqual([]);
      expect(await s.listExpiredApprovals(later(61), 10)).toEqual(['r-1']);
    }));

  it('lists a person’s requests newest first, including bulk requests that name them', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'done', NOW);
      await s.createRequest('r-2', newRequest(), 'done', later(1));
      await s.createRequest(
        'r-3',
        newRequest({ target: { slackUserId: 'UBOB' }, additionalTargets: [{ slackUserId: 'UALICE' }] }),
        'done',
        later(2),
      );
      await s.createRequest('r-4', newRequest({ target: { slackUserId: 'UCAROL' } }), 'done', later(3));
      expect((await s.listRequestsForTarget('UALICE', 10)).map((r) => r.id)).toEqual(['r-3', 'r-2', 'r-1']);
      expect((await s.listRequestsForTarget('UALICE', 2)).map((r) => r.id)).toEqual(['r-3', 'r-2']);
    }));

  it('keeps a gap-free, verifiable hash chain under concurrent appends', () =>
    withStore(async (s) => {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          s.appendAudit({ actor: `a${i}`, action: 'x', data: { i } }, NOW),
        ),
      );
      const records = await s.listAudit();
      expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(verifyChain(records)).toEqual({ ok: true, checked: 50 });
      expect(await s.listAudit({ limit: 5 })).toHaveLength(5);
    }));

  it('refuses updates and deletes of audit rows, and verification catches tampering behind its back', () =>
    withStore(async (s) => {
      for (let i = 0; i < 5; i++)
        await s.appendAudit({ requestId: 'r-1', actor: 'engine', action: `a${i}`, data: { i } }, NOW);
      const db = raw(s);
      await expect(db.exec("UPDATE audit_log SET action = 'x' WHERE seq = 2")).rejects.toThrow();
      await expect(db.exec('DELETE FROM audit_log WHERE seq = 2')).rejects.toThrow();
      expect(verifyChain(await s.listAudit()).ok).toBe(true);
      await db.editAudit(3, '{"i":99}');
      expect(verifyChain(await s.listAudit())).toMatchObject({ ok: false, brokenAt: 3 });
      await db.deleteAudit(5);
      await db.editAudit(3, '{"i":2}');
      expect(verifyChain(await s.listAudit({ requestId: 'r-1' })).ok).toBe(true); // the last record removed leaves a valid prefix…
      await db.deleteAudit(2);
      expect(verifyChain(await s.listAudit())).toMatchObject({ ok: false, brokenAt: 2 }); // …a removed middle record does not
    }));

  it('round-trips a minimal request: optional fields stay undefined, not null', () =>
    withStore(async (s) => {
      const input: NewRequest = {
        source: 'cli',
        requester: { kind: 'cli', id: 'root' },
        target: { email: 'carol@example.com' },
        systems: ['mattermost'],
        slackScope: 'all',
        reason: 'offboarding',
      };
      const { request } = await s.createRequest('r-min', input, 'approved', NOW);
      const read = await s.getRequest('r-min');
      expect(read).toEqual(request);
      expect(read).toMatchObject({ ...input, id: 'r-min', status: 'approved', breakGlass: false });
      for (const key of [
        'selection',
        'origin',
        'additionalTargets',
        'thread',
        'summary',
        'expiresAt',
        'approvalCard',
        'decidedBy',
        'decidedAt',
        'decisionNote',
        'idempotencyKey',
        'workflow',
      ] as const) {
        expect(read?.[key], key).toBeUndefined();
      }
      expect(read?.target.slackUserId).toBeUndefined();
      expect(await s.listSteps('r-min')).toEqual([
        {
          requestId: 'r-min',
          key: 'mattermost',
          system: 'mattermost',
          targetIndex: 0,
          state: 'pending',
          attempts: 0,
        },
      ]);
    }));

  it('patches every request field and every step field, leaving the rest alone', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'pending_approval', NOW, {
        workflow: { functionExecutionId: 'Fx1' },
      });
      await s.createRequest('r-2', newRequest(), 'pending_approval', NOW);
      const patch = {
        status: 'approved' as const,
        thread: { channel: 'C1', ts: '1700000000.000100' },
        summary: '2 revoked',
        approvalCard: { channel: 'C0APPROVE', ts: '1700000000.000200' },
        decidedBy: 'slack:UAPP',
        decidedAt: later(10),
        decisionNote: 'four eyes: ok',
        breakGlass: true,
        workflow: { functionExecutionId: 'Fx1', completedAt: later(11) },
      };
      expect(await s.updateRequest('r-1', patch, later(12))).toBe(true);
      const read = await s.getRequest('r-1');
      expect(read).toEqual({ ...newRequest(), id: 'r-1', createdAt: NOW, updatedAt: later(12), ...patch });
      expect(await s.updateRequest('r-1', { breakGlass: false }, later(13))).toBe(true);
      expect(await s.getRequest('r-1')).toEqual({ ...read, breakGlass: false, updatedAt: later(13) });
      expect(await s.updateRequest('nope', { status: 'done' }, later(14))).toBe(false);
      expect((await s.getRequest('r-2'))?.status).toBe('pending_approval');

      const account = {
        system: 'slack' as const,
        id: 'UALICE',
        login: 'alice@example.com',
        displayName: 'Alice',
        extra: { teams: ['T1', 'T2'], enterprise: 'E1' },
      };
      const result = {
        revokedCount: 3,
        remaining: 0,
        remainingInScope: true,
        vendorRequestId: 'v-9',
        detail: 'ok',
        error: { code: 'rate_limited', message: 'slow down', status: 429, retryable: true },
      };
      await s.updateStep('r-1', 'slack', { state: 'running', attempts: 1, account, startedAt: later(20) });
      await s.updateStep('r-1', 'slack', { state: 'revoked', attempts: 2, result, finishedAt: later(21) });
      await s.updateStep('r-1', 'slack', {});
      const steps = await s.listSteps('r-1');
      expect(steps).toEqual([
        {
          requestId: 'r-1',
          key: 'slack',
          system: 'slack',
          targetIndex: 0,
          state: 'revoked',
          attempts: 2,
          account,
          result,
          startedAt: later(20),
          finishedAt: later(21),
        },
        { requestId: 'r-1', key: 'box', system: 'box', targetIndex: 0, state: 'pending', attempts: 0 },
      ]);
      expect((await s.listSteps('r-2')).map((x) => x.state)).toEqual(['pending', 'pending']);
    }));

  it('creates exactly one request when many creates with one idempotency key race', () =>
    withStore(async (s) => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          s.createRequest(`r-${i}`, newRequest(), 'approved', later(i), { idempotencyKey: 'same' }),
        ),
      );
      const winners = results.filter((r) => r.created);
      expect(winners).toHaveLength(1);
      const id = winners[0]?.request.id;
      for (const r of results) expect(r.request.id).toBe(id);
      expect(await s.listRunnable(later(100), 100)).toEqual([id]);
      expect(await s.listSteps(id ?? '')).toHaveLength(2);
    }));

  it('lists runnable requests oldest first (ties by id) and lapsed approvals soonest first, both limited', () =>
    withStore(async (s) => {
      await s.createRequest('new', newRequest(), 'approved', later(30));
      await s.createRequest('old', newRequest(), 'approved', later(10));
      await s.createRequest('live', newRequest(), 'approved', later(5));
      await s.createRequest('dead', newRequest(), 'approved', later(20));
      await s.createRequest('b-tie', newRequest(), 'approved', NOW);
      await s.createRequest('a-tie', newRequest(), 'approved', NOW);
      await s.createRequest('done', newRequest(), 'done', NOW);
      expect(await s.claim('live', 'A', later(1000), later(40))).toBe(1);
      expect(await s.claim('dead', 'B', later(50), later(40))).toBe(1);
      expect(await s.listRunnable(later(45), 10)).toEqual(['a-tie', 'b-tie', 'old', 'new']);
      expect(await s.listRunnable(later(51), 10)).toEqual(['a-tie', 'b-tie', 'old', 'dead', 'new']);
      expect(await s.listRunnable(later(51), 3)).toEqual(['a-tie', 'b-tie', 'old']);

      await s.createRequest('late', newRequest(), 'pending_approval', NOW, { expiresAt: later(300) });
      await s.createRequest('soon', newRequest(), 'pending_approval', later(1), { expiresAt: later(100) });
      await s.createRequest('mid', newRequest(), 'pending_approval', later(2), { expiresAt: later(200) });
      await s.createRequest('never', newRequest(), 'pending_approval', later(3));
      expect(await s.listExpiredApprovals(later(99), 10)).toEqual([]);
      expect(await s.listExpiredApprovals(later(100), 10)).toEqual(['soon']);
      expect(await s.listExpiredApprovals(later(1000), 10)).toEqual(['soon', 'mid', 'late']);
      expect(await s.listExpiredApprovals(later(1000), 2)).toEqual(['soon', 'mid']);
    }));

  it('returns appended audit records as listed, links them, and filters by request', () =>
    withStore(async (s) => {
      const a = await s.appendAudit(
        {
          requestId: 'r-1',
          actor: 'slack:UREQ',
          action: 'created',
          data: { nested: { z: 1, a: [true, null, 'ü ✓'] } },
        },
        NOW,
      );
      const b = await s.appendAudit({ actor: 'system', action: 'started' }, later(1));
      const c = await s.appendAudit({ requestId: 'r-1', actor: 'slack:UAPP', action: 'approved' }, later(2));
      expect(a).toMatchObject({ seq: 1, at: NOW, requestId: 'r-1', prevHash: '0'.repeat(64) });
      expect(b).toMatchObject({ seq: 2, requestId: null, data: {}, prevHash: a.hash });
      expect(c).toMatchObject({ seq: 3, prevHash: b.hash });
      expect(await s.listAudit()).toEqual([a, b, c]);
      expect(await s.listAudit({ requestId: 'r-1' })).toEqual([a, c]);
      expect(await s.listAudit({ requestId: 'r-1', limit: 1 })).toEqual([a]);
      expect(await s.listAudit({ requestId: 'other' })).toEqual([]);
    }));

  it('answers the readiness ping and counts for metrics (requests, oldest pending approval, live leases)', () =>
    withStore(async (s) => {
      await s.ping();
      expect(await s.metricsSnapshot(NOW)).toEqual({
        requests: [],
        oldestPendingApprovalAt: undefined,
        runsInFlight: 0,
      });
      await s.createRequest('p-old', newRequest(), 'pending_approval', NOW);
      await s.createRequest('p-new', newRequest({ source: 'api' }), 'pending_approval', later(5));
      await s.createRequest('a-1', newRequest(), 'approved', later(6));
      await s.createRequest('a-2', newRequest(), 'approved', later(7));
      expect(await s.claim('a-1', 'runner-1', later(60), later(8))).toBe(1);
      expect(await s.claim('a-2', 'runner-2', later(20), later(8))).toBe(1);
      const snapshot = await s.metricsSnapshot(later(30)); // a-2's lease has expired by then
      expect(
        [...snapshot.requests].sort((x, y) =>
          `${x.source}${x.status}`.localeCompare(`${y.source}${y.status}`),
        ),
      ).toEqual([
        { source: 'api', status: 'pending_approval', count: 1 },
        { source: 'slash_command', status: 'pending_approval', count: 1 },
        { source: 'slash_command', status: 'running', count: 2 },
      ]);
      expect(snapshot.oldestPendingApprovalAt).toBe(NOW);
      expect(snapshot.runsInFlight).toBe(1);
    }));

  it('counts the replicas alive (each takes 1/n of the vendor budgets), forgets stale ones and those that leave', () =>
    withStore(async (s) => {
      expect(await s.heartbeat('replica-a', NOW, later(-45))).toBe(1);
      expect(await s.heartbeat('replica-b', later(1), later(-44))).toBe(2);
      expect(await s.heartbeat('replica-a', later(15), later(-30))).toBe(2);
      // replica-b has not been seen for more than 45 s: it died.
      expect(await s.heartbeat('replica-a', later(60), later(15))).toBe(1);
      expect(await s.heartbeat('replica-c', later(61), later(16))).toBe(2);
      await s.leave('replica-c');
      expect(await s.heartbeat('replica-a', later(62), later(17))).toBe(1);
    }));

  const form = { source: 'slash_command', people: [{ kind: 'user', userId: 'UALICE' }], reason: 'INC-7 ✓' };
  const entry = (key: string) => ({ key, actor: 'slack:UREQ', form, channelId: 'C1' });

  it('journals a submission once, held by its owner; takes it over only after the lease, one owner at a time', () =>
    withStore(async (s) => {
      expect(await s.journalIntake(entry('view:V1'), 'a', later(30), NOW)).toBe(true);
      expect(await s.journalIntake(entry('view:V1'), 'b', later(30), later(1))).toBe(false);
      expect(await s.getIntake('view:V1')).toEqual({
        key: 'view:V1',
        actor: 'slack:UREQ',
        form,
        channelId: 'C1',
        state: 'pending',
        attempts: 1,
        owner: 'a',
        leaseUntil: later(30),
        requestId: undefined,
        message: undefined,
        createdAt: NOW,
        updatedAt: NOW,
      });
      expect(await s.getIntake('view:nope')).toBeUndefined();
      // Held: nobody takes it; the holder renews it, nobody else can.
      expect(await s.listDueIntake(later(29), 10)).toEqual([]);
      expect(await s.claimIntake('view:V1', 'b', later(60), later(29))).toBeUndefined();
      expect(await s.renewIntake('view:V1', 'b', later(60), later(20))).toBe(false);
      expect(await s.renewIntake('view:V1', 'a', later(60), later(20))).toBe(true);
      expect(await s.listDueIntake(later(59), 10)).toEqual([]);
      // Its holder died: after the lease, exactly one of many takes it over, one more attempt counted.
      expect(await s.listDueIntake(later(61), 10)).toEqual(['view:V1']);
      const claims = await Promise.all(
        ['b', 'c', 'd', 'e'].map((o) => s.claimIntake('view:V1', o, later(90), later(61))),
      );
      const won = claims.filter((c) => c !== undefined);
      expect(won).toHaveLength(1);
      expect(won[0]).toMatchObject({ state: 'pending', attempts: 2, leaseUntil: later(90), form });
      expect(await s.renewIntake('view:V1', 'a', later(120), later(62))).toBe(false);
      expect(await s.listDueIntake(later(62), 10)).toEqual([]);
      // Oldest first, limited.
      await s.journalIntake(entry('view:V2'), 'a', later(5), later(2));
      await s.journalIntake(entry('view:V0'), 'a', later(5), later(1));
      expect(await s.listDueIntake(later(100), 10)).toEqual(['view:V1', 'view:V0', 'view:V2']);
      expect(await s.listDueIntake(later(100), 2)).toEqual(['view:V1', 'view:V0']);
    }));

  it('completes a journal entry in the same write as its request, only while its holder still holds it', () =>
    withStore(async (s) => {
      await s.journalIntake(entry('view:V1'), 'a', later(30), NOW);
      // Taken over by b after a's lease: a's create writes nothing at all.
      expect(await s.claimIntake('view:V1', 'b', later(90), later(31))).toBeDefined();
      const audit = { actor: 'slack:UREQ', action: 'request_created' };
      await expect(
        s.createRequest('r-a', newRequest(), 'approved', later(32), {
          idempotencyKey: 'view:V1',
          intake: { key: 'view:V1', owner: 'a' },
          audit,
        }),
      ).rejects.toBeInstanceOf(IntakeTakenError);
      expect(await s.getRequest('r-a')).toBeUndefined();
      expect(await s.listSteps('r-a')).toEqual([]);
      expect(await s.listAudit()).toEqual([]);
      expect((await s.getIntake('view:V1'))?.state).toBe('pending');
      // The holder's create records the request and completes the entry together.
      const made = await s.createRequest('r-b', newRequest(), 'approved', later(33), {
        idempotencyKey: 'view:V1',
        intake: { key: 'view:V1', owner: 'b' },
        audit,
      });
      expect(made.created).toBe(true);
      expect(await s.getIntake('view:V1')).toMatchObject({
        state: 'done',
        requestId: 'r-b',
        leaseUntil: undefined,
        updatedAt: later(33),
      });
      // Asked again with the same key: the first request, nothing new; a done entry is never taken.
      const again = await s.createRequest('r-c', newRequest(), 'approved', later(34), {
        idempotencyKey: 'view:V1',
        intake: { key: 'view:V1', owner: 'c' },
      });
      expect([again.created, again.request.id]).toEqual([false, 'r-b']);
      expect(await s.journalIntake(entry('view:V1'), 'c', later(60), later(34))).toBe(false);
      expect(await s.listDueIntake(later(1000), 10)).toEqual([]);
      expect(await s.claimIntake('view:V1', 'c', later(1100), later(1000))).toBeUndefined();
      // A request already recorded under the key completes a pending entry with that request.
      await s.createRequest('r-d', newRequest(), 'approved', later(35), { idempotencyKey: 'view:V2' });
      await s.journalIntake(entry('view:V2'), 'a', later(60), later(36));
      const existing = await s.createRequest('r-e', newRequest(), 'approved', later(37), {
        idempotencyKey: 'view:V2',
        intake: { key: 'view:V2', owner: 'a' },
      });
      expect([existing.created, existing.request.id]).toEqual([false, 'r-d']);
      expect(await s.getIntake('view:V2')).toMatchObject({ state: 'done', requestId: 'r-d' });
      // A create naming an entry nobody journaled records nothing.
      await expect(
        s.createRequest('r-f', newRequest(), 'approved', later(38), {
          intake: { key: 'view:V9', owner: 'a' },
        }),
      ).rejects.toBeInstanceOf(IntakeTakenError);
      expect(await s.getRequest('r-f')).toBeUndefined();
      expect(verifyChain(await s.listAudit()).ok).toBe(true);
    }));

  it('refuses a journal entry only while held, with its audit record in the same write, and forgets settled ones', () =>
    withStore(async (s) => {
      await s.journalIntake(entry('view:V1'), 'a', later(30), NOW);
      const record = {
        actor: 'slack:UREQ',
        action: 'request_refused',
        data: { why: 'could not be recorded' },
      };
      expect(await s.refuseIntake('view:V1', 'b', 'not yours', later(1), record)).toBe(false);
      expect(await s.listAudit()).toEqual([]);
      const results = await Promise.all(
        Array.from({ length: 5 }, () => s.refuseIntake('view:V1', 'a', 'no person', later(2), record)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await s.getIntake('view:V1')).toMatchObject({
        state: 'refused',
        message: 'no person',
        leaseUntil: undefined,
        updatedAt: later(2),
      });
      // Nothing was recorded for a refused entry: the same key journaled again is a fresh submission.
      const edited = { ...entry('view:V1'), form: { ...form, reason: 'INC-8' } };
      expect(await s.journalIntake(edited, 'b', later(40), later(9))).toBe(true);
      expect(await s.getIntake('view:V1')).toMatchObject({
        form: edited.form,
        state: 'pending',
        attempts: 1,
        owner: 'b',
        message: undefined,
        createdAt: later(9),
      });
      expect(await s.refuseIntake('view:V1', 'b', 'no person', later(10))).toBe(true);
      expect((await s.listAudit()).map((a) => [a.actor, a.action, a.data])).toEqual([
        ['slack:UREQ', 'request_refused', { why: 'could not be recorded' }],
      ]);
      // A refused entry is settled: never taken over, never completed.
      expect(await s.listDueIntake(later(1000), 10)).toEqual([]);
      expect(await s.renewIntake('view:V1', 'a', later(60), later(3))).toBe(false);
      await expect(
        s.createRequest('r-1', newRequest(), 'approved', later(4), {
          intake: { key: 'view:V1', owner: 'a' },
        }),
      ).rejects.toBeInstanceOf(IntakeTakenError);
      // A refusal whose record cannot be written refuses nothing.
      await s.journalIntake(entry('view:V2'), 'a', later(30), later(5));
      const broken = { actor: 'x', action: 'request_refused', data: { n: 1n } };
      await expect(s.refuseIntake('view:V2', 'a', 'x', later(6), broken)).rejects.toThrow();
      expect((await s.getIntake('view:V2'))?.state).toBe('pending');
      // Settled entries are forgotten after a while; pending ones never are.
      await s.journalIntake(entry('view:V3'), 'a', later(30), later(7));
      await s.createRequest('r-3', newRequest(), 'approved', later(8), {
        idempotencyKey: 'view:V3',
        intake: { key: 'view:V3', owner: 'a' },
      });
      expect(await s.pruneIntake(later(2))).toBe(0);
      expect(await s.pruneIntake(later(100))).toBe(2);
      expect(await s.getIntake('view:V1')).toBeUndefined();
      expect(await s.getIntake('view:V3')).toBeUndefined();
      expect((await s.getIntake('view:V2'))?.state).toBe('pending');
      expect(await s.getRequest('r-3')).toBeDefined();
    }));
}
