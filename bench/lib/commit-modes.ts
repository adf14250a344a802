/**
 * The SQLite commit modes the commit benchmark compares, and one round of store writes under one
 * of them: a realistic mix at a fixed arrival rate, with the event loop's delay watched meanwhile.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { SqliteOptions } from '../../src/store/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { newRequest } from '../../test/store/contract.js';
import { poissonSchedule } from './open-loop.js';
import { sleep } from './wait.js';

export interface CommitMode {
  id: string;
  name: string;
  options: SqliteOptions;
  /** The durability it keeps. */
  promise: string;
}

export const COMMIT_MODES: readonly CommitMode[] = [
  {
    id: 'thread',
    name: 'writer thread, synchronous FULL (the store now)',
    options: { writer: 'thread', synchronous: 'FULL' },
    promise: 'power loss',
  },
  {
    id: 'inline',
    name: 'on the event loop, synchronous FULL (the store before)',
    options: { writer: 'inline', synchronous: 'FULL' },
    promise: 'power loss',
  },
  {
    id: 'normal',
    name: 'on the event loop, synchronous NORMAL',
    options: { writer: 'inline', synchronous: 'NORMAL' },
    promise: 'process crash only',
  },
];

/** Steps of the request the rounds finish, one per write that finishes a step. */
const STEPS = 2_000;

/** What one round measured: each write's latency as its caller saw it, and the event loop's delay. */
export interface RoundResult {
  latencies: number[];
  loopDelays: { p50: number; p99: number; max: number };
}

/** A store under `mode` in `file`, with one large request whose steps the rounds finish. */
export async function openForRounds(file: string, mode: CommitMode): Promise<SqliteStore> {
  const store = new SqliteStore(file, mode.options);
  await store.migrate();
  const people = Array.from({ length: STEPS }, (_, i) => ({
    slackUserId: `UC${String(i).padStart(5, '0')}`,
  }));
  const [first, ...rest] = people;
  await store.createRequest(
    'r-commit',
    newRequest({ target: first ?? {}, additionalTargets: rest, systems: ['mattermost'] }),
    'running',
    new Date().toISOString(),
  );
  return store;
}

/**
 * `count` writes leaving on a Poisson schedule at `rate` per second, whatever the answers (as
 * Slack's requests and a run's steps arrive): a third each an audit record alone (a preview), a
 * step started with its record, a step finished with its record — the transactions an ack's
 * after-work and a bulk write.
 */
export async function commitRound(
  store: SqliteStore,
  o: { rate: number; count: number; seed: number; offset: number },
): Promise<RoundResult> {
  const schedule = poissonSchedule(o.rate, o.count, o.seed);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  histogram.enable();
  const start = performance.now();
  for (let i = 0; i < schedule.length; i++) {
    const wait = start + (schedule[i] ?? 0) - performance.now();
    if (wait > 0) await sleep(wait);
    const key = `mattermost#${(o.offset + i) % STEPS}`;
    const record = { requestId: 'r-commit', actor: 'system', action: 'bench', data: { i, key } };
    const now = new Date().toISOString();
    const t0 = performance.now();
    const write =
      i % 3 === 0
        ? store.appendAudit(record, now)
        : i % 3 === 1
          ? store.updateSteps('r-commit', [{ key, patch: { state: 'running', startedAt: now } }], record, now)
          : store.finishStep('r-commit', key, { state: 'revoked', finishedAt: now }, record, now);
    pending.push(write.then(() => void latencies.push(performance.now() - t0)));
  }
  await Promise.all(pending);
  histogram.disable();
  const msOf = (ns: number) => ns / 1e6;
  return {
    latencies,
    loopDelays: {
      p50: msOf(histogram.percentile(50)),
      p99: msOf(histogram.percentile(99)),
      max: msOf(histogram.max),
    },
  };
}
