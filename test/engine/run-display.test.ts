import { beforeEach, describe, expect, it } from 'vitest';
import { LiveSteps, ObserverList, type RunObserver, type RunSteps } from '../../src/engine/observer.js';
import type { RevocationRequest, RevocationStep } from '../../src/engine/types.js';
import { MetricsObserver } from '../../src/metrics/observer.js';
import { MemorySystem, world } from './world.js';

const PEOPLE = 1_000;
/** Two systems for 1,000 people: 2,000 steps, each shown as it finishes. */
const STEPS = 2 * PEOPLE;

function step(key: string, system: 'mattermost' | 'huawei', state: RevocationStep['state']): RevocationStep {
  return { requestId: 'r', key, system, targetIndex: 0, state, attempts: 0 };
}

describe('the live view of a run’s steps', () => {
  it('keeps the finished counts per system as steps change, counting a step once', () => {
    const view = new LiveSteps([
      step('mattermost', 'mattermost', 'pending'),
      step('huawei', 'huawei', 'revoked'),
      step('mattermost#1', 'mattermost', 'pending'),
    ]);
    expect([view.count(), view.count('mattermost'), view.count('huawei'), view.count('slack')]).toEqual([
      3, 2, 1, 0,
    ]);
    expect([view.finished(), view.finished('mattermost'), view.finished('huawei')]).toEqual([1, 0, 1]);
    view.set(step('mattermost#1', 'mattermost', 'running'));
    expect(view.finished('mattermost')).toBe(0);
    view.set(step('mattermost#1', 'mattermost', 'failed'));
    // Shown and stamped: the same step again, still final, is not counted twice.
    view.set({ ...step('mattermost#1', 'mattermost', 'failed'), finishedAt: '2026-12-01T10:00:00.000Z' });
    expect([view.finished(), view.finished('mattermost')]).toEqual([2, 1]);
    expect(view.get('mattermost#1')?.finishedAt).toBe('2026-12-01T10:00:00.000Z');
    // Plan order, each step in its latest state.
    expect(view.ofSystem('mattermost').map((s) => `${s.key}:${s.state}`)).toEqual([
      'mattermost:pending',
      'mattermost#1:failed',
    ]);
    expect(view.list().map((s) => s.key)).toEqual(['mattermost', 'huawei', 'mattermost#1']);
    expect(view.count()).toBe(3);
  });
});

/**
 * The display part of a run stays linear: the runner hands every stepFinished the same live view
 * (a copy per step is 2,000 × 2,000 step objects here), and the results thread is a reply per
 * system in the outbox, not an effect per step.
 */
describe('a 2,000-step run’s display', () => {
  let w: ReturnType<typeof world>;
  let request: RevocationRequest;

  beforeEach(async () => {
    const mm = new MemorySystem('mattermost', 'Mattermost');
    const hw = new MemorySystem('huawei', 'Huawei Cloud');
    w = world([mm, hw]);
    await w.ready();
    w.directory.add('UREQ', 'bob@example.com');
    for (let i = 0; i < PEOPLE; i++) {
      const email = `p${i}@example.com`;
      w.directory.add(`UP${i}`, email);
      mm.add(email, `mm-${i}`, ['s']);
      hw.add(email, `hw-${i}`, ['h']);
    }
    const asked = await w.engine.ask({
      source: 'slash_command',
      requester: { kind: 'slack', id: 'UREQ' },
      people: Array.from({ length: PEOPLE }, (_, i) => ({ kind: 'user' as const, userId: `UP${i}` })),
      systems: ['mattermost', 'huawei'],
      slackScope: 'all',
      reason: 'INC-19',
    });
    if (!asked.ok) throw new Error(asked.message);
    request = asked.request;
  });

  it('hands every stepFinished the same live view, one more step finished each time', async () => {
    const views = new Set<RunSteps>();
    const finished: number[] = [];
    let current = 0;
    let finalSteps: RevocationStep[] = [];
    const display: RunObserver = {
      requestStarted: async () => undefined,
      stepFinished: async (_r, done, steps) => {
        views.add(steps);
        finished.push(steps.finished());
        if (steps.get(done.key) === done) current += 1;
      },
      requestFinished: async (_r, steps) => {
        finalSteps = steps;
      },
    };
    const final = await w.engine.run(request.id, display);
    expect(final?.summary).toBe(`${STEPS} revoked`);
    expect(finished).toHaveLength(STEPS);
    expect(views.size).toBe(1);
    expect(finished).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    expect(current).toBe(STEPS);
    expect(finalSteps).toHaveLength(STEPS);
    expect(finalSteps.filter((s) => s.state === 'revoked')).toHaveLength(STEPS);
  });

  it('writes the results thread as one reply per system and a final redraw, never an effect per step', async () => {
    const logs: string[] = [];
    // The observers a run has besides the outbox (metrics) read no step of the view per step.
    const chain = new ObserverList(
      [new MetricsObserver({ steps: { inc: () => {} }, takeovers: { inc: () => {} } }, new Set())],
      (e) => logs.push(String(e)),
    );
    let read = 0;
    const counted = (view: RunSteps): RunSteps => ({
      count: (system) => view.count(system),
      finished: (system) => view.finished(system),
      get: (key) => {
        read += 1;
        return view.get(key);
      },
      ofSystem: (system) => {
        const steps = view.ofSystem(system);
        read += steps.length;
        return steps;
      },
      list: () => {
        const steps = view.list();
        read += steps.length;
        return steps;
      },
    });
    const display: RunObserver = {
      requestStarted: (r, steps) => chain.requestStarted(r, steps),
      stepFinished: (r, done, steps) => chain.stepFinished(r, done, counted(steps)),
      requestFinished: (r, steps) => chain.requestFinished(r, steps),
    };
    const final = await w.engine.run(request.id, display);
    expect(final?.status).toBe('done');
    expect(logs).toEqual([]);
    expect(read).toBeLessThanOrEqual(STEPS);
    const effects = (await w.store.listEffects(request.id)).filter(
      (e) => !e.key.startsWith(`thread_redraw:${request.id}:progress-`),
    );
    expect(effects.map((e) => e.key)).toEqual([
      `home_publish:${request.id}:created`,
      `thread_parent:${request.id}`,
      ...[`system_summary:${request.id}:mattermost`, `system_summary:${request.id}:huawei`].sort((x, y) =>
        effects.findIndex((e) => e.key === x) < effects.findIndex((e) => e.key === y) ? -1 : 1,
      ),
      `thread_redraw:${request.id}:final`,
      `home_publish:${request.id}:finished`,
    ]);
  });
});
