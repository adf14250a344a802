/**
 * Benchmark 1 — acknowledgement latency. Correctly signed slash commands and
 * block actions go to the real app's HTTP server at 1, 10 and 50 concurrent
 * requests; the same requests go to a minimal Bolt app that only acks, in the
 * same run. Separate processes: this one generates load, one runs the app, one
 * the minimal app, one the fake Slack Web API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRETS } from '../test/helpers/harness.js';
import { type Child, pinToCpus, startChild, tsxArgs } from './lib/children.js';
import { Agent, type LoadRequest, runLoad, statusSummary } from './lib/load.js';
import type { Benchmark, DetailTable, Row, Section } from './lib/section.js';
import { median, ms, type Stats, summarize } from './lib/stats.js';
import { until } from './lib/wait.js';
import { appEnv, command, targetSelected } from './slack-payloads.js';

interface Level {
  /** Requests in flight (closed loop: the next one leaves as soon as one is answered). */
  concurrency: number;
  /** Think time per in-flight slot; the paced level shows the ack path with no after-ack work queued. */
  pauseMs?: number;
  count: number;
}
const LEVELS: Level[] = [
  { concurrency: 1, pauseMs: 20, count: 100 },
  { concurrency: 1, count: 300 },
  { concurrency: 10, count: 300 },
  { concurrency: 50, count: 300 },
];
const ROUNDS = 3;
const WARMUP = 50;
const P99_TARGET_MS = 50;
const RATIO_TARGET = 1.3;
const levelName = (l: Level) => (l.pauseMs ? `1, paced ${l.pauseMs} ms apart` : String(l.concurrency));

type AppName = 'ours' | 'minimal';

interface Scenario {
  name: string;
  build: (i: number, tag: string) => LoadRequest;
}

let actionSeq = 0;
const SCENARIOS: Scenario[] = [
  { name: '`/revoke-sessions help`', build: (i, tag) => command('help', `help-${tag}-${i}`) },
  {
    name: '`/revoke-sessions <@UALICE>` (opens the modal)',
    build: (i, tag) => command('<@UALICE|alice>', `modal-${tag}-${i}`),
  },
  { name: 'block action `target_user`', build: () => targetSelected(actionSeq++) },
];

/** One (scenario, level, app) cell: a run per round. */
interface Cell {
  scenario: Scenario;
  level: Level;
  app: AppName;
  rounds: { stats: Stats; statuses: Map<number, number>; errors: number }[];
}

/** The cell's figure: the median over rounds of a per-round statistic. */
const fig = (c: Cell, k: keyof Stats) => median(c.rounds.map((r) => r.stats[k]));

/** Asks the fake Slack process how many calls it has answered. */
function fakeCalls(fake: Child): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: { type?: string; calls?: number }) => {
      if (m?.type !== 'stats') return;
      fake.proc.off('message', onMessage);
      resolve(m.calls ?? 0);
    };
    fake.proc.on('message', onMessage);
    fake.proc.send?.({ type: 'stats' });
  });
}

/** Waits until the app's after-ack work (modal, previews) has drained: no fake Slack call for 400 ms. */
async function quiet(fake: Child): Promise<void> {
  let last = -1;
  let stableSince = Date.now();
  await until(
    async () => {
      const n = await fakeCalls(fake);
      if (n !== last) {
        last = n;
        stableSince = Date.now();
      }
      return Date.now() - stableSince >= 400;
    },
    60_000,
    50,
  );
}

async function measure(url: string, scenario: Scenario, level: Level, tag: string) {
  // One keep-alive pool for warm-up and measurement, so connection set-up is not measured.
  const agent = new Agent({ keepAlive: true, maxSockets: level.concurrency });
  const common = { concurrency: level.concurrency, pauseMs: level.pauseMs, agent };
  await runLoad(url, { ...common, count: WARMUP, build: (i) => scenario.build(i, `${tag}-warm`) });
  const r = await runLoad(url, { ...common, count: level.count, build: (i) => scenario.build(i, tag) });
  agent.destroy();
  return { stats: summarize(r.latencies), statuses: r.statuses, errors: r.errors };
}

async function run(): Promise<Section> {
  const started = performance.now();
  const loadBefore = loadavg()[0] ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'revoke-bench-ack-'));
  const children: Child[] = [];
  let pinned = false;
  try {
    const fake = startChild(tsxArgs('fake-slack-server.ts'), {
      env: {},
      ready: /LISTENING (\S+)/,
      ipc: true,
    });
    children.push(fake);
    const slackUrl = await fake.ready;
    const ours = startChild(tsxArgs('app-server.ts'), {
      env: appEnv(slackUrl, join(dir, 'bench.db')),
      cwd: dir,
      ready: /LISTENING (\d+)/,
    });
    const minimal = startChild(tsxArgs('minimal-bolt-server.ts'), {
      env: {
        SLACK_BOT_TOKEN: SECRETS.bot,
        SLACK_SIGNING_SECRET: SECRETS.signing,
        SLACK_API_URL: slackUrl,
        PORT: '0',
      },
      cwd: dir,
      ready: /LISTENING (\d+)/,
    });
    children.push(ours, minimal);
    const urls: Record<AppName, string> = {
      ours: `http://127.0.0.1:${await ours.ready}`,
      minimal: `http://127.0.0.1:${await minimal.ready}`,
    };
    // The app under test gets the last CPU to itself; the load generator and the fake Slack share CPU 0.
    const last = String(cpus().length - 1);
    pinned =
      [ours.proc.pid, minimal.proc.pid].every((pid) => pid !== undefined && pinToCpus(pid, last)) &&
      [process.pid, fake.proc.pid].every((pid) => pid !== undefined && pinToCpus(pid, '0'));
    const cells: Cell[] = LEVELS.flatMap((level) =>
      SCENARIOS.flatMap((scenario) =>
        (['ours', 'minimal'] as const).map((app) => ({ scenario, level, app, rounds: [] })),
      ),
    );
    // Warm both apps up (JIT, pools) on every request kind before anything is measured.
    for (const app of ['ours', 'minimal'] as const) {
      for (const scenario of SCENARIOS) {
        await runLoad(urls[app], {
          concurrency: 10,
          count: 200,
          build: (i) => scenario.build(i, `${app}-jit`),
        });
        await quiet(fake);
      }
    }
    let flip = false;
    for (let round = 0; round < ROUNDS; round++) {
      for (const level of LEVELS) {
        for (const scenario of SCENARIOS) {
          // Alternate which app goes first so neither always runs on a warmer machine.
          const order: AppName[] = flip ? ['ours', 'minimal'] : ['minimal', 'ours'];
          flip = !flip;
          for (const app of order) {
            const cell = cells.find((c) => c.scenario === scenario && c.level === level && c.app === app);
            const m = await measure(urls[app], scenario, level, `${app}-${round}-${levelName(level)}`);
            cell?.rounds.push(m);
            process.stdout.write(
              `  [ack] round ${round + 1} ${app.padEnd(7)} c=${levelName(level).padEnd(18)} ${scenario.name}: p50 ${ms(m.stats.p50)}, p99 ${ms(m.stats.p99)} (${statusSummary(m.statuses, m.errors)})\n`,
            );
            await quiet(fake);
          }
        }
      }
    }
    return report(cells, {
      durationMs: performance.now() - started,
      pinned,
      load: [loadBefore, loadavg()[0] ?? 0],
    });
  } finally {
    if (pinned) pinToCpus(process.pid, `0-${cpus().length - 1}`);
    for (const c of children.reverse()) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(cells: Cell[], o: { durationMs: number; pinned: boolean; load: [number, number] }): Section {
  const get = (s: Scenario, l: Level, app: AppName) =>
    cells.find((c) => c.scenario === s && c.level === l && c.app === app);
  const statuses = (c: Cell) => {
    const all = new Map<number, number>();
    let errors = 0;
    for (const r of c.rounds) {
      for (const [k, v] of r.statuses) all.set(k, (all.get(k) ?? 0) + v);
      errors += r.errors;
    }
    return { text: statusSummary(all, errors), ok: errors === 0 && [...all.keys()].every((k) => k === 200) };
  };
  const latency: DetailTable = {
    title: `Time to the HTTP response, ms — median over ${ROUNDS} rounds; \`p99 range\` is the lowest–highest p99 of the rounds`,
    headers: [
      'request',
      'in flight',
      'app',
      'n per round',
      'p50',
      'p90',
      'p99',
      'p99 range',
      'max',
      'HTTP statuses',
    ],
    rows: cells.map((c) => [
      c.scenario.name,
      levelName(c.level),
      c.app,
      String(c.level.count),
      fig(c, 'p50').toFixed(2),
      fig(c, 'p90').toFixed(2),
      fig(c, 'p99').toFixed(2),
      `${Math.min(...c.rounds.map((r) => r.stats.p99)).toFixed(1)}–${Math.max(...c.rounds.map((r) => r.stats.p99)).toFixed(1)}`,
      fig(c, 'max').toFixed(2),
      statuses(c).text,
    ]),
  };
  const ratioRows: string[][] = [];
  const rows: Row[] = [];
  const at50 = LEVELS.find((l) => l.concurrency === 50 && !l.pauseMs);
  for (const s of SCENARIOS) {
    let worstP50 = 0;
    let worstP99 = 0;
    let paced = '';
    for (const level of LEVELS) {
      const o = get(s, level, 'ours');
      const m = get(s, level, 'minimal');
      if (!o || !m) continue;
      const r50 = fig(o, 'p50') / fig(m, 'p50');
      const r99 = fig(o, 'p99') / fig(m, 'p99');
      ratioRows.push([s.name, levelName(level), r50.toFixed(2), r99.toFixed(2)]);
      if (level.pauseMs) {
        paced = `${ms(fig(o, 'p50'))} / ${ms(fig(o, 'p99'))} (minimal ${ms(fig(m, 'p50'))} / ${ms(fig(m, 'p99'))}; ratio ${r50.toFixed(2)} / ${r99.toFixed(2)})`;
        continue;
      }
      worstP50 = Math.max(worstP50, r50);
      worstP99 = Math.max(worstP99, r99);
    }
    const ours50 = at50 && get(s, at50, 'ours');
    const minimal50 = at50 && get(s, at50, 'minimal');
    rows.push({
      metric: `${s.name}: p99 at 50 in flight (ours)`,
      measured: ours50
        ? `${ms(fig(ours50, 'p99'))} (minimal Bolt: ${minimal50 ? ms(fig(minimal50, 'p99')) : 'n/a'})`
        : 'n/a',
      target: `< ${P99_TARGET_MS} ms`,
      pass: ours50 !== undefined && statuses(ours50).ok && fig(ours50, 'p99') < P99_TARGET_MS,
    });
    rows.push({
      metric: `${s.name}: ours / minimal, p50 (worst of 1, 10, 50 in flight)`,
      measured: worstP50.toFixed(2),
      target: `≤ ${RATIO_TARGET}`,
      pass: worstP50 <= RATIO_TARGET,
    });
    rows.push({
      metric: `${s.name}: ours / minimal, p99 (worst of 1, 10, 50 in flight)`,
      measured: worstP99.toFixed(2),
      target: `≤ ${RATIO_TARGET}`,
      pass: worstP99 <= RATIO_TARGET,
    });
    rows.push({ metric: `${s.name}: paced, one at a time, p50 / p99 (ours)`, measured: paced });
  }
  const bad = cells.filter((c) => !statuses(c).ok);
  return {
    id: 'ack',
    title: '1. Acknowledgement latency',
    method: [
      'Correctly signed requests (v0 HMAC, fresh timestamp) POSTed to `/slack/events` over keep-alive HTTP/1.1 connections (warmed up, so connection set-up is not measured).',
      `After 200 uncounted requests of each kind to each app (JIT warm-up), per round and level: ${WARMUP} warm-up requests, then 300 measured (100 for the paced level) at 1, 10 and 50 in flight — a closed loop, the next request leaves as soon as one is answered — plus a paced level (one at a time, 20 ms apart) that shows the ack path with no after-ack work queued. ${ROUNDS} rounds; each figure is the median over the rounds.`,
      'Latency is from writing the request to the end of the HTTP response (the ack). The real app is the `npm start` composition root (`buildApplication` with its production defaults, LOG_LEVEL=info, SQLite file) with Slack configured;',
      'the baseline is a minimal Bolt app (same @slack/bolt) on an HTTPReceiver whose only listeners — the command and the `target_user` action — just ack (the action listener is added so both request kinds can be compared).',
      `Process layout, chosen for an honest measurement on a ${cpus().length}-core machine: the load generator, the real app, the minimal app and the fake Slack Web API each run in their own process; ${
        o.pinned
          ? 'the app under test is pinned to its own CPU with taskset, the load generator and the fake Slack share the other;'
          : 'CPU pinning (taskset) was not available, so all processes share the CPUs;'
      } the two apps are measured one after the other, never at the same time, and after each run the benchmark waits until the app's after-ack work (modal, preview lookups) has drained.`,
    ].join(' '),
    rows,
    details: [
      latency,
      {
        title: 'Ratio ours / minimal (medians over rounds)',
        headers: ['request', 'in flight', 'p50 ratio', 'p99 ratio'],
        rows: ratioRows,
      },
    ],
    notes: [
      'After acking, the modal command calls `views.open`, `users.info`, `admin.users.session.list` and `views.update` on the fake Slack, and the block action `views.update`, the lookups and `views.update` again. That work runs in the app process after the ack and competes with the next requests’ acks; under a closed loop it is what separates the app from the minimal one (a CPU profile of the app under this load shows most of its busy time in @slack/web-api + axios request handling). The paced level shows the ack path itself.',
      `The minimal app’s own p99 at 50 in flight shows the floor this machine allows; 1-minute load average ${o.load[0].toFixed(2)} before and ${o.load[1].toFixed(2)} after this benchmark (other work on the machine, if any, adds noise; the rounds’ p99 range shows how much).`,
      ...(bad.length
        ? [
            `Cells with non-200 answers or errors: ${bad.map((c) => `${c.app} ${levelName(c.level)} ${c.scenario.name} (${statuses(c).text})`).join('; ')}.`,
          ]
        : ['Every measured request was answered 200.']),
    ],
    durationMs: o.durationMs,
  };
}

export const ackLatency: Benchmark = { id: 'ack', title: '1. Acknowledgement latency', run };
