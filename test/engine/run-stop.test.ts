import { beforeEach, describe, expect, it } from 'vitest';
import { RevocationEngine } from '../../src/engine/engine.js';
import type { RevocationRequest } from '../../src/engine/types.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { vendorCallScope } from '../../src/providers/call-scope.js';
import type { Account } from '../../src/providers/types.js';
import { MemorySystem, world } from './world.js';

const PEOPLE = Array.from({ length: 6 }, (_, i) => `p${i}@example.com`);

/** A system whose revoke calls wait until the test lets them answer (calls in flight). */
class HeldSystem extends MemorySystem {
  private opened: (() => void) | undefined;
  private gate = new Promise<void>((resolve) => {
    this.opened = resolve;
  });
  inFlight = 0;
  calls: string[] = [];

  override async revokeAll(account: Account) {
    this.calls.push(account.id);
    this.inFlight++;
    await this.gate;
    this.inFlight--;
    return super.revokeAll(account);
  }

  /** Lets every held call (and every later one) answer. */
  open(): void {
    this.opened?.();
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error('condition never held');
}

/** Stopping runs (SIGTERM's drain, Ctrl-C): what finished is kept, the rest resumes elsewhere, nothing twice. */
describe('engine.runs: stop, hand over, resume', () => {
  let mm: HeldSystem;
  let w: ReturnType<typeof world>;
  let request: RevocationRequest;

  beforeEach(async () => {
    mm = new HeldSystem('mattermost', 'Mattermost');
    for (const [i, email] of PEOPLE.entries()) mm.add(email, `mm-${i}`, [`s${i}`]);
    w = world([mm]);
    await w.ready();
    w.directory.add('UREQ', 'bob@example.com');
    const asked = await w.engine.ask({
      source: 'cli',
      requester: { kind: 'cli', id: 'ops' },
      people: PEOPLE.map((email) => ({ kind: 'email' as const, email })),
      systems: ['mattermost'],
      slackScope: 'all',
      reason: 'INC-20 drain',
      bypassApproval: { via: 'test' },
    });
    if (!asked.ok) throw new Error(asked.message);
    request = asked.request;
  });

  /** A second process on the same store. */
  const nextRunner = () =>
    new RevocationEngine({
      store: w.store,
      providers: new Map([['mattermost', mm]]),
      logger: new RedactingLogger(new Redactor([]), 'error'),
      vendorCalls: vendorCallScope,
      runnerId: 'next-process',
      sleep: async () => {},
      verifyRecheckMs: 0,
    });

  const finishedSteps = async () =>
    (await w.store.listAudit({ requestId: request.id })).filter((a) => a.action === 'step_finished');

  it('a stop lets the calls in flight answer and records them, starts nothing more, and releases the lease', async () => {
    const run = w.engine.run(request.id);
    await until(() => mm.inFlight === 4);
    w.engine.runs.stop('the process is stopping');
    expect(w.engine.runs.closed).toBe(true);
    mm.open();
    expect(await run).toBeUndefined();
    await w.engine.runs.idle();
    expect(w.engine.runs.running()).toEqual([]);
    // The four calls in flight answered and were recorded; the other two people were not started.
    const steps = await w.store.listSteps(request.id);
    expect(steps.map((s) => s.state)).toEqual([
      'revoked',
      'revoked',
      'revoked',
      'revoked',
      'pending',
      'pending',
    ]);
    expect(await finishedSteps()).toHaveLength(4);
    // Left running with its lease given back: runnable now, not after the lease lapses.
    expect((await w.store.getRequest(request.id))?.status).toBe('running');
    expect(await w.store.listRunnable(new Date().toISOString(), 10)).toEqual([request.id]);
    // A stopped runner claims nothing more.
    expect(await w.engine.run(request.id)).toBeUndefined();

    const final = await nextRunner().run(request.id);
    expect(final?.status).toBe('done');
    expect([...mm.calls].sort()).toEqual(PEOPLE.map((_, i) => `mm-${i}`));
    expect(await finishedSteps()).toHaveLength(6);
    const actions = await w.actions();
    expect(actions.filter((a) => a === 'run_resumed')).toHaveLength(1);
    expect(actions.filter((a) => a === 'run_finished')).toHaveLength(1);
  });

  it('a hand-over gives up calls that do not answer: their late answers write nothing, and the next runner re-checks them', async () => {
    const run = w.engine.run(request.id);
    await until(() => mm.inFlight === 4);
    expect(w.engine.runs.running()).toEqual([request.id]);
    expect(await w.engine.runs.handOver('the grace period ended')).toEqual([request.id]);
    expect(await w.store.listRunnable(new Date().toISOString(), 10)).toEqual([request.id]);
    // The held calls answer only now (after the hand-over): the vendor did revoke, nothing is recorded.
    mm.open();
    expect(await run).toBeUndefined();
    expect((await w.store.listSteps(request.id)).filter((s) => s.state === 'revoked')).toEqual([]);
    expect(await finishedSteps()).toHaveLength(0);

    const final = await nextRunner().run(request.id);
    expect(final?.status).toBe('done');
    // The four interrupted steps were confirmed by listing, not sent again.
    expect([...mm.calls].sort()).toEqual(PEOPLE.map((_, i) => `mm-${i}`));
    const steps = await w.store.listSteps(request.id);
    expect(
      steps.filter((s) => s.result?.detail === 'confirmed after an interrupted attempt; not repeated'),
    ).toHaveLength(4);
    expect(await finishedSteps()).toHaveLength(6);
  });

  it('a closed runner claims nothing: an approved request is left for the next one', async () => {
    w.engine.runs.close();
    expect(await w.engine.run(request.id)).toBeUndefined();
    expect((await w.store.getRequest(request.id))?.status).toBe('approved');
    expect(mm.calls).toEqual([]);
    await w.engine.runs.idle();
  });
});
