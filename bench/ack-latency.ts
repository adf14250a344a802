/**
 * Benchmark 1 — acknowledgement latency, the real app beside a minimal Bolt app that only acks,
 * in one run. Open loop (Poisson arrivals at 50/s and 200/s, latency from the scheduled send
 * time) for the modal command, `help` and the `target_user` action, and for the modal command the
 * time to the fake Slack receiving `views.open`; a closed loop at 50 in flight as an overload test
 * (every modal command either opens within Slack's 3-second trigger window or gets the busy
 * message on its response_url); one at a time, paced, for reference. Separate processes: this one
 * generates load (and receives the response_url posts), one runs the app, one the minimal app,
 * one the fake Slack Web API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSY_TEXT } from '../src/slack/context.js';
import { type AckProcesses, type AppName, startAckProcesses } from './lib/ack-processes.js';
import {
  type ClosedCell,
  type Latencies,
  type OpenCell,
  type Outcome,
  type PacedCell,
  report,
  type Scenario,
  TRIGGER_WINDOW_MS,
} from './lib/ack-report.js';
import { monoMs } from './lib/clock.js';
import { Agent, runLoad, statusSummary } from './lib/load.js';
import { poissonSchedule, runOpenLoop } from './lib/open-loop.js';
import { type ResponseCatcher, startResponseCatcher } from './lib/response-catcher.js';
import type { Benchmark, Section } from './lib/section.js';
import { ms, summarize } from './lib/stats.js';
import { until } from './lib/wait.js';
import { command, targetSelected } from './slack-payloads.js';

/** Open loop: per (request, rate, app) ROUNDS × OPEN_PER_ROUND measured arrivals, the apps taking turns. */
const ROUNDS = 4;
const OPEN_PER_ROUND = 250;
/** Arrivals sent before the measured ones in the same stream (1 s worth), so the run is in its stride. */
const WARMUP_SECONDS = 1;
/** Closed loop: long enough that the overload lasts past the trigger window (a queue built in 2 s drains fast once the load stops). */
const CLOSED = { concurrency: 50, warmup: 100, seconds: 6, maxCount: 100_000 };
const PACED = { pauseMs: 20, count: 100 };

let actionSeq = 0;
const SCENARIOS: Scenario[] = [
  {
    id: 'modal',
    name: '`/revoke-sessions <@UALICE>` (opens the modal)',
    rates: [50, 200],
    build: (trigger, responseUrl) => command('<@UALICE|alice>', trigger, responseUrl),
  },
  { id: 'help', name: '`/revoke-sessions help`', rates: [200], build: (t, r) => command('help', t, r) },
  {
    id: 'action',
    name: 'block action `target_user`',
    rates: [200],
    build: () => targetSelected(actionSeq++),
  },
];
const MODAL = SCENARIOS[0] as Scenario;

const empty = (): Latencies => ({ samples: [], roundP99s: [], lags: [], statuses: new Map(), errors: 0 });
function add(l: Latencies, latencies: number[], statuses: number[], lags: number[] = []): void {
  const ok = latencies.filter((x) => Number.isFinite(x));
  l.samples.push(...ok);
  l.roundP99s.push(summarize(ok).p99);
  l.lags.push(...lags);
  for (const s of statuses) {
    if (s === 0) l.errors += 1;
    else l.statuses.set(s, (l.statuses.get(s) ?? 0) + 1);
  }
}

/** What became of each modal command: views.open (when, from `sentAt`) and/or the busy message. */
function outcome(
  sentAt: Map<string, number>,
  opened: Map<string, number>,
  catcher: ResponseCatcher,
): Outcome {
  const o: Outcome = { sent: 0, inTime: 0, late: 0, busy: 0, neither: 0, both: 0, delays: [], otherPosts: 0 };
  for (const [trigger, t0] of sentAt) {
    o.sent += 1;
    const posts = catcher.posts(trigger);
    const busy = posts.filter((p) => (p.body as { text?: string })?.text === BUSY_TEXT).length;
    o.otherPosts += posts.length - busy;
    const at = opened.get(trigger);
    if (at !== undefined) o.delays.push(at - t0);
    if (at !== undefined && busy) o.both += 1;
    else if (at !== undefined) o[at - t0 <= TRIGGER_WINDOW_MS ? 'inTime' : 'late'] += 1;
    else if (busy) o.busy += 1;
    else o.neither += 1;
  }
  return o;
}

/** Collects views.open times for `prefix` until every command has an outcome (or 30 s pass). */
async function settle(
  p: AckProcesses,
  prefix: string,
  sentAt: Map<string, number>,
  catcher: ResponseCatcher,
): Promise<Map<string, number>> {
  const opened = new Map<string, number>();
  const pull = async () => {
    for (const [k, v] of await p.opens(prefix)) opened.set(k, v);
  };
  await until(
    async () => {
      await pull();
      return [...sentAt.keys()].every((t) => opened.has(t) || catcher.posts(t).length > 0);
    },
    30_000,
    200,
  );
  await p.quiet();
  await pull();
  return opened;
}

async function openRun(
  p: AckProcesses,
  catcher: ResponseCatcher,
  cell: OpenCell,
  round: number,
): Promise<void> {
  const { scenario, rate, app } = cell;
  const warm = rate * WARMUP_SECONDS;
  // The same seed for both apps: they get the same arrivals.
  const schedule = poissonSchedule(
    rate,
    warm + OPEN_PER_ROUND,
    1_000 * round + 10 * SCENARIOS.indexOf(scenario) + rate,
  );
  const tag = `${scenario.id}-${app}-${rate}-${round}-`;
  const agent = new Agent({ keepAlive: true });
  const arrivals = await runOpenLoop(p.urls[app], {
    schedule,
    agent,
    build: (i) => scenario.build(`${tag}${i}`, catcher.urlFor(`${tag}${i}`)),
  });
  agent.destroy();
  const measured = arrivals.slice(warm);
  add(
    cell.ack,
    measured.map((a) => a.latency),
    measured.map((a) => a.status),
    measured.map((a) => a.lag),
  );
  if (scenario === MODAL && app === 'ours') {
    const sentAt = new Map(measured.map((a, i) => [`${tag}${warm + i}`, a.scheduled]));
    const o = outcome(sentAt, await settle(p, tag, sentAt, catcher), catcher);
    cell.open ??= { sent: 0, inTime: 0, late: 0, busy: 0, neither: 0, both: 0, delays: [], otherPosts: 0 };
    // A command that never got views.open counts as infinitely late in the p99.
    const never = o.sent - o.delays.length;
    cell.open.delays.push(...o.delays, ...Array<number>(never).fill(Number.POSITIVE_INFINITY));
    for (const k of ['sent', 'inTime', 'late', 'busy', 'neither', 'both', 'otherPosts'] as const)
      cell.open[k] += o[k];
  } else await p.quiet();
  const s = summarize(measured.map((a) => a.latency).filter(Number.isFinite));
  process.stdout.write(
    `  [ack] open ${rate}/s round ${round + 1} ${app.padEnd(7)} ${scenario.id}: p50 ${ms(s.p50)}, p99 ${ms(s.p99)}${cell.open ? `; views.open p99 ${ms(summarize(cell.open.delays).p99)}` : ''}\n`,
  );
}

async function closedRun(p: AckProcesses, catcher: ResponseCatcher, app: AppName): Promise<ClosedCell> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLOSED.concurrency });
  const sentAt = new Map<string, number>();
  const tag = `closed-${app}-`;
  const common = { concurrency: CLOSED.concurrency, agent };
  await runLoad(p.urls[app], {
    ...common,
    count: CLOSED.warmup,
    build: (i) => MODAL.build(`warm-${tag}${i}`, catcher.urlFor(`warm-${tag}${i}`)),
  });
  const r = await runLoad(p.urls[app], {
    ...common,
    count: CLOSED.maxCount,
    durationMs: CLOSED.seconds * 1000,
    build: (i) => {
      sentAt.set(`${tag}${i}`, monoMs());
      return MODAL.build(`${tag}${i}`, catcher.urlFor(`${tag}${i}`));
    },
  });
  agent.destroy();
  const ack = empty();
  ack.samples.push(...r.latencies);
  ack.roundP99s.push(summarize(r.latencies).p99);
  ack.statuses = r.statuses;
  ack.errors = r.errors;
  const cell: ClosedCell = { app, ack, wallMs: r.wallMs };
  if (app === 'ours') cell.outcome = outcome(sentAt, await settle(p, tag, sentAt, catcher), catcher);
  else await p.quiet();
  const o = cell.outcome;
  process.stdout.write(
    `  [ack] closed ${CLOSED.concurrency} in flight ${app.padEnd(7)}: p99 ${ms(summarize(r.latencies).p99)} (${statusSummary(r.statuses, r.errors)})${o ? `; opened in time ${o.inTime}, busy ${o.busy}, late ${o.late}, neither ${o.neither}, both ${o.both}` : ''}\n`,
  );
  return cell;
}

async function run(): Promise<Section> {
  const started = performance.now();
  const loadBefore = loadavg()[0] ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'revoke-bench-ack-'));
  const catcher = await startResponseCatcher();
  let p: AckProcesses | undefined;
  try {
    p = await startAckProcesses(dir);
    const apps = ['ours', 'minimal'] as const;
    // Warm both apps up (JIT, pools) on every request kind before anything is measured.
    for (const app of apps) {
      for (const s of SCENARIOS) {
        await runLoad(p.urls[app], {
          concurrency: 10,
          count: 200,
          build: (i) => s.build(`jit-${app}-${s.id}-${i}`, catcher.urlFor('jit')),
        });
        await p.quiet();
      }
    }
    const paced: PacedCell[] = [];
    for (const s of SCENARIOS) {
      for (const app of apps) {
        const r = await runLoad(p.urls[app], {
          concurrency: 1,
          ...PACED,
          build: (i) => s.build(`paced-${app}-${s.id}-${i}`, catcher.urlFor('paced')),
        });
        paced.push({
          scenario: s,
          app,
          stats: summarize(r.latencies),
          status: statusSummary(r.statuses, r.errors),
        });
        await p.quiet();
      }
    }
    const open: OpenCell[] = SCENARIOS.flatMap((scenario) =>
      scenario.rates.flatMap((rate) => apps.map((app) => ({ scenario, rate, app, ack: empty() }))),
    );
    let flip = false;
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of SCENARIOS) {
        for (const rate of s.rates) {
          // Alternate which app goes first so neither always runs on a warmer machine.
          for (const app of flip ? apps : ([...apps].reverse() as AppName[])) {
            const cell = open.find((c) => c.scenario === s && c.rate === rate && c.app === app);
            if (cell) await openRun(p, catcher, cell, round);
          }
          flip = !flip;
        }
      }
    }
    const closed = [await closedRun(p, catcher, 'minimal'), await closedRun(p, catcher, 'ours')];
    return report({
      open,
      closed,
      paced,
      modal: MODAL,
      setup: {
        rounds: ROUNDS,
        perRound: OPEN_PER_ROUND,
        warmupSeconds: WARMUP_SECONDS,
        closed: CLOSED,
        paced: PACED,
        pinned: p.pinned,
        niced: p.niced,
      },
      byMethod: (await p.stats()).byMethod,
      durationMs: performance.now() - started,
      load: [loadBefore, loadavg()[0] ?? 0],
    });
  } finally {
    await p?.stop();
    await catcher.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const ackLatency: Benchmark = { id: 'ack', title: '1. Acknowledgement latency', run };
