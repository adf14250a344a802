import type { WebClient } from '@slack/web-api';
import { beforeEach, describe, expect, it } from 'vitest';
import { LiveSteps, ObserverList, type RunObserver, type RunSteps } from '../../src/engine/observer.js';
import type { RevocationRequest, RevocationStep } from '../../src/engine/types.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { MetricsObserver } from '../../src/metrics/observer.js';
import { ThreadNotifier } from '../../src/slack/thread-notifier.js';
import { captureLogs } from '../helpers/capture.js';
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
    view.set({ ...step('mattermost#1', 'mattermost', 'failed'), notifiedAt: '2026-12-01T10:00:00.000Z' });
    expect([view.finished(), view.finished('mattermost')]).toEqual([2, 1]);
    expect(view.get('mattermost#1')?.notifiedAt).toBe('2026-12-01T10:00:00.000Z');
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
 * (a copy per step is 2,000 × 2,000 step objects here), and the observer chain the Slack app uses
 * reads each system's steps once, for its summary, not all of them for every step.
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

  it('the Slack observer chain reads one step of the view per finished step', async () => {
    const posted: { thread_ts?: string; text: string }[] = [];
    const updated: string[] = [];
    const client = {
      chat: {
        postMessage: async (m: { channel: string; thread_ts?: string; text: string }) => {
          posted.push(m);
          return { ok: true, channel: m.channel, ts: m.thread_ts ? `2.${posted.length}` : '1.1' };
        },
        update: async (m: { text: string }) => {
          updated.push(m.text);
          return { ok: true };
        },
      },
    } as unknown as WebClient;
    const logs: string[] = [];
    const logger = new RedactingLogger(new Redactor([]), 'info', captureLogs(logs));
    const chain = new ObserverList(
      [
        new ThreadNotifier({
          client,
          logger,
          labels: (s) => (s === 'huawei' ? 'Huawei Cloud' : 'Mattermost'),
          approvalChannel: 'C0SEC',
          // No redraw falls due during the run: the parent is drawn when it starts and finishes.
          progressIntervalMs: 600_000,
        }),
        new MetricsObserver({ steps: { inc: () => {} }, takeovers: { inc: () => {} } }, new Set()),
      ],
      (e) => logs.push(String(e)),
    );
    // Every step object the chain takes from the view, through any of its reads.
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
    let calls = 0;
    const display: RunObserver = {
      requestStarted: (r, steps) => chain.requestStarted(r, steps),
      stepFinished: (r, done, steps) => {
        calls += 1;
        return chain.stepFinished(r, done, counted(steps));
      },
      requestFinished: (r, steps) => chain.requestFinished(r, steps),
    };
    const final = await w.engine.run(request.id, display);
    expect(final?.status).toBe('done');
    expect(logs).toEqual([]);
    expect(calls).toBe(STEPS);
    // Each system's 1,000 steps once, for its summary reply: 2,000 in all, not 2,000 per step.
    expect(read).toBe(STEPS);
    expect(
      posted
        .filter((m) => m.thread_ts === '1.1')
        .map((m) => m.text)
        .sort(),
    ).toEqual([`Huawei Cloud: ${PEOPLE} revoked`, `Mattermost: ${PEOPLE} revoked`]);
    expect(updated).toEqual([`Revoking sessions for ${PEOPLE} people: ${STEPS} revoked`]);
  });
});
