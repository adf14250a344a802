import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MembershipChecker } from '../../src/engine/access.js';
import { Approvals } from '../../src/engine/approval.js';
import { verifyChain } from '../../src/engine/audit-chain.js';
import { RevocationEngine } from '../../src/engine/engine.js';
import type { RunObserver } from '../../src/engine/observer.js';
import type { RevocationRequest } from '../../src/engine/types.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { vendorCallScope } from '../../src/providers/call-scope.js';
import type { Account, RevokeOutcome } from '../../src/providers/types.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { captureLogs } from '../helpers/capture.js';
import { MemoryDirectory, MemorySystem, users } from './world.js';

const LEASE_MS = 30_000;

/** A vendor call held after it took effect, until the test lets it answer. */
class Hold {
  private enter = () => {};
  private answer = () => {};
  /** Resolves once a call waits here. */
  readonly inside = new Promise<void>((resolve) => {
    this.enter = resolve;
  });
  private readonly answered = new Promise<void>((resolve) => {
    this.answer = resolve;
  });

  /** Called by the held call: waits until {@link release}. */
  async wait(): Promise<void> {
    this.enter();
    await this.answered;
  }

  release(): void {
    this.answer();
  }
}

/** A system whose next revoke-all takes effect and then does not answer until the test lets it. */
class HeldSystem extends MemorySystem {
  private held: Hold | undefined;

  holdNext(): Hold {
    this.held = new Hold();
    return this.held;
  }

  override async revokeAll(account: Account) {
    const outcome = await super.revokeAll(account);
    await this.waitIfHeld();
    return outcome;
  }

  protected async waitIfHeld(): Promise<void> {
    const held = this.held;
    this.held = undefined;
    await held?.wait();
  }
}

/** A system with a bulk call (as Slack's resetBulk) whose next call is held after it took effect. */
class HeldBulkSystem extends HeldSystem {
  readonly bulkCalls: string[][] = [];

  async revokeAllBulk(accounts: Account[]) {
    this.bulkCalls.push(accounts.map((a) => a.id));
    const outcomes = new Map<string, RevokeOutcome | Error>();
    for (const a of accounts) outcomes.set(a.id, await MemorySystem.prototype.revokeAll.call(this, a));
    await this.waitIfHeld();
    return outcomes;
  }
}

/** What a display was told, in order. */
function recordingObserver(): RunObserver & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    requestStarted: async () => {
      seen.push('started');
      return undefined;
    },
    stepFinished: async (_r, step) => {
      seen.push(`step ${step.key}`);
    },
    requestFinished: async (r) => {
      seen.push(`finished ${r.status}`);
    },
  };
}

/**
 * Two runners (two replicas) over one store, each with its own wall clock and monotonic clock,
 * which the tests move by hand: a pause moves both of one replica's clocks, a skew only the wall
 * clock of the other.
 */
describe('fenced leases: a runner that lost its lease stops at once', () => {
  let store: SqliteStore;
  let idp: HeldSystem;
  let mm: MemorySystem;
  let hw: MemorySystem;
  let bulk: HeldBulkSystem;
  let logs: string[];
  const clocks = { a: { wall: 0, mono: 0 }, b: { wall: 0, mono: 0 } };

  const replica = (name: 'a' | 'b') =>
    new RevocationEngine({
      store,
      providers: new Map([idp, mm, hw, bulk].map((s) => [s.id, s])),
      logger: new RedactingLogger(new Redactor([]), 'debug', captureLogs(logs)),
      vendorCalls: vendorCallScope,
      approvals: new Approvals(
        {
          requireApproval: false,
          requesters: users('UREQ'),
          approvers: users(),
          protectedUsers: users(),
          breakGlassUsers: users(),
          ttlMs: 3_600_000,
        },
        new MembershipChecker(async () => []),
      ),
      directory: new MemoryDirectory()
        .add('UREQ', 'bob@example.com')
        .add('UALICE', 'alice@example.com')
        .add('UCAROL', 'carol@example.com'),
      now: () => new Date(clocks[name].wall),
      monotonicNow: () => clocks[name].mono,
      newId: () => `r-${name}0000001-00000000`,
      sleep: async () => {},
      verifyRecheckMs: 0,
      runnerId: `replica-${name}`,
      leaseMs: LEASE_MS,
    });

  beforeEach(async () => {
    const start = Date.parse('2026-12-01T10:00:00.000Z');
    clocks.a = { wall: start, mono: 1_000 };
    clocks.b = { wall: start, mono: 5_000 };
    logs = [];
    store = new SqliteStore(':memory:');
    await store.migrate();
    // An identity provider that cannot list sessions (as Okta): its step runs first, and a
    // takeover of it while it was running sends the (idempotent) sign-out again.
    idp = new HeldSystem('okta' as 'mattermost', 'Okta', {
      listSessions: false,
      revokeSelected: false,
      asyncRevoke: false,
      scopes: false,
      identityProvider: true,
      listingCoversRevokeAll: false,
    }).add('alice@example.com', 'okta-alice');
    mm = new MemorySystem('mattermost', 'Mattermost').add('alice@example.com', 'mm-alice', ['s1']);
    hw = new MemorySystem('huawei', 'Huawei Cloud').add('alice@example.com', 'hw-alice', ['h1']);
    bulk = new HeldBulkSystem('slack', 'Slack')
      .add('alice@example.com', 'U-alice', ['a1'])
      .add('carol@example.com', 'U-carol', ['c1']);
  });
  afterEach(() => store.close());

  async function recorded(engine: RevocationEngine): Promise<RevocationRequest> {
    const result = await engine.ask({
      source: 'slash_command',
      requester: { kind: 'slack', id: 'UREQ' },
      people: [{ kind: 'user', userId: 'UALICE' }],
      systems: ['okta' as 'mattermost', 'mattermost', 'huawei'],
      slackScope: 'all',
      reason: 'INC-19',
    });
    if (!result.ok) throw new Error(result.message);
    return result.request;
  }

  const actions = async (id: string) =>
    (await store.listAudit({ requestId: id })).map((r) =>
      r.action === 'step_started' || r.action === 'step_finished'
        ? `${r.action} ${String(r.data.system)}`
        : r.action,
    );

  it('paused inside a vendor call past its lease: after the takeover it sends, shows and writes nothing more', async () => {
    const a = replica('a');
    const b = replica('b');
    const request = await recorded(a);
    const held = idp.holdNext();
    const shownByA = recordingObserver();
    const runA = a.run(request.id, shownByA);
    await held.inside;
    // Replica A stops (a GC pause, a stopped VM) for longer than its lease: both its clocks move on.
    clocks.a.wall += LEASE_MS + 1_000;
    clocks.a.mono += LEASE_MS + 1_000;
    clocks.b.wall += LEASE_MS + 1_000;
    const shownByB = recordingObserver();
    expect((await b.run(request.id, shownByB))?.status).toBe('done');
    const afterTakeover = await store.listAudit({ requestId: request.id });
    // A wakes up with its vendor call answered.
    held.release();
    const resultA = await runA;

    // The sign-out A sent before its pause, and the one the takeover sends again (A's outcome was
    // never recorded): nothing else. The downstream systems were revoked once, by B.
    expect(idp.revoked).toEqual([
      { account: 'okta-alice', ids: 'all' },
      { account: 'okta-alice', ids: 'all' },
    ]);
    expect(mm.revoked).toEqual([{ account: 'mm-alice', ids: 'all' }]);
    expect(hw.revoked).toEqual([{ account: 'hw-alice', ids: 'all' }]);
    // A wrote nothing after the takeover: one step_finished per step, run_finished last.
    expect(await store.listAudit({ requestId: request.id })).toEqual(afterTakeover);
    expect(await actions(request.id)).toEqual([
      'request_created',
      'run_started',
      'step_started okta',
      'run_resumed',
      'step_started okta',
      'step_finished okta',
      'step_started mattermost',
      'step_started huawei',
      'step_finished mattermost',
      'step_finished huawei',
      'run_finished',
    ]);
    const runs = afterTakeover.filter((r) => r.action.startsWith('run_'));
    expect(runs.map((r) => [r.action, r.data])).toEqual([
      ['run_started', { runner: 'replica-a', fence: 1 }],
      ['run_resumed', { runner: 'replica-b', fence: 2 }],
      ['run_finished', { status: 'done', summary: '3 revoked' }],
    ]);
    expect((await store.listSteps(request.id)).map((s) => [s.key, s.state, s.attempts])).toEqual([
      ['okta', 'revoked', 2],
      ['mattermost', 'revoked', 1],
      ['huawei', 'revoked', 1],
    ]);
    // A showed its start only; B showed every step and the end.
    expect(shownByA.seen).toEqual(['started']);
    expect(shownByB.seen).toEqual([
      'started',
      'step okta',
      'step mattermost',
      'step huawei',
      'finished done',
    ]);
    expect(logs.join('\n')).toMatch(
      /request r-a0000001-00000000: lease lost \(step okta's outcome was refused/,
    );
    expect(verifyChain(await store.listAudit()).ok).toBe(true);
    expect(resultA).toBeUndefined();
  });

  it('another replica’s clock ahead takes the request while the runner is in a vendor call: the fence alone stops the runner', async () => {
    const a = replica('a');
    const b = replica('b');
    const request = await recorded(a);
    const held = idp.holdNext();
    const shownByA = recordingObserver();
    const runA = a.run(request.id, shownByA);
    await held.inside;
    // B's wall clock runs ahead of A's by more than a lease: to B, A's live lease has expired.
    // A's own clocks do not move (its lease is, by them, still good).
    clocks.b.wall += LEASE_MS + 5_000;
    expect((await b.run(request.id))?.status).toBe('done');
    const afterTakeover = await store.listAudit();
    held.release();
    const resultA = await runA;

    expect(idp.revoked).toHaveLength(2);
    expect(mm.revoked).toHaveLength(1);
    expect(hw.revoked).toHaveLength(1);
    expect(await store.listAudit()).toEqual(afterTakeover);
    const audit = await actions(request.id);
    expect(audit.filter((x) => x.startsWith('step_finished'))).toEqual([
      'step_finished okta',
      'step_finished mattermost',
      'step_finished huawei',
    ]);
    expect(audit.at(-1)).toBe('run_finished');
    expect(shownByA.seen).toEqual(['started']);
    expect((await store.getRequest(request.id))?.status).toBe('done');
    expect(verifyChain(await store.listAudit()).ok).toBe(true);
    expect(resultA).toBeUndefined();
  });

  it('past its deadline by its own clock, with nobody else yet: records the call it made, then stops before the next', async () => {
    const a = replica('a');
    const b = replica('b');
    const request = await recorded(a);
    const held = idp.holdNext();
    const shownByA = recordingObserver();
    const runA = a.run(request.id, shownByA);
    await held.inside;
    // Paused past its lease, but no other replica has claimed the request (yet).
    clocks.a.wall += LEASE_MS + 1_000;
    clocks.a.mono += LEASE_MS + 1_000;
    held.release();
    const resultA = await runA;

    // The outcome of the call it made is recorded (its claim was still the current one); no
    // further vendor call, display or write.
    expect(idp.revoked).toHaveLength(1);
    expect(mm.revoked).toEqual([]);
    expect(hw.revoked).toEqual([]);
    expect(shownByA.seen).toEqual(['started']);
    expect(await actions(request.id)).toEqual([
      'request_created',
      'run_started',
      'step_started okta',
      'step_finished okta',
    ]);
    expect(resultA).toBeUndefined();
    // It gave its lease back on the way out: the request is runnable at once, not a lease later.
    expect(await store.listRunnable(new Date(clocks.b.wall).toISOString(), 10)).toEqual([request.id]);
    expect((await b.run(request.id))?.status).toBe('done');
    expect(idp.revoked).toHaveLength(1);
    expect(mm.revoked).toHaveLength(1);
    expect(hw.revoked).toHaveLength(1);
    expect((await actions(request.id)).filter((x) => x.startsWith('step_finished'))).toHaveLength(3);
    expect(verifyChain(await store.listAudit()).ok).toBe(true);
  });

  it('a bulk phase taken over during its bulk call writes none of its outcomes', async () => {
    const a = replica('a');
    const b = replica('b');
    const result = await a.ask({
      source: 'slash_command',
      requester: { kind: 'slack', id: 'UREQ' },
      people: [
        { kind: 'user', userId: 'UALICE' },
        { kind: 'user', userId: 'UCAROL' },
      ],
      systems: ['slack'],
      slackScope: 'all',
      reason: 'INC-19 bulk',
    });
    if (!result.ok) throw new Error(result.message);
    const { request } = result;
    const held = bulk.holdNext();
    const runA = a.run(request.id);
    await held.inside;
    clocks.a.wall += LEASE_MS + 1_000;
    clocks.a.mono += LEASE_MS + 1_000;
    clocks.b.wall += LEASE_MS + 1_000;
    // B finds both steps started by A's bulk phase: it confirms them by listing (nothing left), without a call.
    expect((await b.run(request.id))?.status).toBe('done');
    const afterTakeover = await store.listAudit();
    held.release();
    const resultA = await runA;

    expect(bulk.bulkCalls).toEqual([['U-alice', 'U-carol']]);
    expect(bulk.revoked).toHaveLength(2);
    expect(await store.listAudit()).toEqual(afterTakeover);
    const audit = (await store.listAudit({ requestId: request.id })).map((r) =>
      r.action === 'step_finished' ? `${r.action} ${String(r.data.person)}` : r.action,
    );
    expect(audit).toEqual([
      'request_created',
      'run_started',
      'bulk_started',
      'run_resumed',
      'step_started',
      'step_started',
      'step_finished 0',
      'step_finished 1',
      'run_finished',
    ]);
    expect((await store.listSteps(request.id)).map((s) => [s.key, s.state, s.result?.detail])).toEqual([
      ['slack', 'revoked', 'confirmed after an interrupted attempt; not repeated'],
      ['slack#1', 'revoked', 'confirmed after an interrupted attempt; not repeated'],
    ]);
    expect(verifyChain(await store.listAudit()).ok).toBe(true);
    expect(resultA).toBeUndefined();
  });
});
