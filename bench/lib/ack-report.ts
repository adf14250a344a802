/** Benchmark 1's figures and the section they make: verdict rows, tables, method and notes. */
import { cpus } from 'node:os';
import type { AppName } from './ack-processes.js';
import type { LoadRequest } from './load.js';
import { statusSummary } from './load.js';
import type { DetailTable, Row, Section } from './section.js';
import { ms, type Stats, summarize } from './stats.js';

/** Slack's trigger_id lasts 3 s: views.open must reach Slack within that of the command. */
export const TRIGGER_WINDOW_MS = 3_000;
const RATIO_TARGET = 1.3;
const OPEN_TARGET_MS = 300;
const CLOSED_P99_TARGET_MS = 50;

export interface Scenario {
  id: string;
  name: string;
  /** Open-loop arrival rates (per second) it is measured at. */
  rates: number[];
  build: (trigger: string, responseUrl: string) => LoadRequest;
}

/** Ack latencies of one cell, pooled over its rounds. */
export interface Latencies {
  samples: number[];
  roundP99s: number[];
  /** Open loop: how late the generator wrote each request (ms). */
  lags: number[];
  statuses: Map<number, number>;
  errors: number;
}

/** What became of the modal commands: views.open within the trigger window, later, busy message… */
export interface Outcome {
  sent: number;
  inTime: number;
  late: number;
  busy: number;
  neither: number;
  both: number;
  /** Command → views.open (ms); for the open loop, +∞ for each command never opened. */
  delays: number[];
  /** Posts to a response_url other than the busy message. */
  otherPosts: number;
}

export interface OpenCell {
  scenario: Scenario;
  rate: number;
  app: AppName;
  ack: Latencies;
  open?: Outcome;
}
export interface ClosedCell {
  app: AppName;
  ack: Latencies;
  wallMs: number;
  outcome?: Outcome;
}
export interface PacedCell {
  scenario: Scenario;
  app: AppName;
  stats: Stats;
  status: string;
}

export interface AckFigures {
  open: OpenCell[];
  closed: ClosedCell[];
  paced: PacedCell[];
  modal: Scenario;
  setup: {
    rounds: number;
    perRound: number;
    warmupSeconds: number;
    closed: { concurrency: number; warmup: number; seconds: number };
    paced: { pauseMs: number; count: number };
    pinned: boolean;
    niced: boolean;
  };
  byMethod: Record<string, number>;
  durationMs: number;
  load: [number, number];
}

const clean = (l: Latencies) => l.errors === 0 && [...l.statuses.keys()].every((k) => k === 200);
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '∞');
const lat = (x: number) => (Number.isFinite(x) ? ms(x) : '∞ (not opened)');
const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
const finiteMax = (xs: number[]) => Math.max(...xs.filter(Number.isFinite));

export function report(f: AckFigures): Section {
  const { setup } = f;
  const find = (s: Scenario, rate: number, app: AppName) =>
    f.open.find((c) => c.scenario === s && c.rate === rate && c.app === app);
  const rows: Row[] = [];
  for (const s of new Set(f.open.map((c) => c.scenario))) {
    for (const rate of s.rates) {
      const o = find(s, rate, 'ours');
      const m = find(s, rate, 'minimal');
      if (!o || !m) continue;
      const op99 = summarize(o.ack.samples).p99;
      const mp99 = summarize(m.ack.samples).p99;
      rows.push({
        metric: `${s.name}, open loop ${rate}/s: ack p99, ours / minimal`,
        measured: `${(op99 / mp99).toFixed(2)} (ours ${ms(op99)}, minimal Bolt ${ms(mp99)})`,
        target: `≤ ${RATIO_TARGET}`,
        pass: clean(o.ack) && clean(m.ack) && op99 / mp99 <= RATIO_TARGET,
      });
      if (!o.open) continue;
      const d = summarize(o.open.delays);
      rows.push({
        metric: `${s.name}, open loop ${rate}/s: command → views.open p99 (ours)`,
        measured: `${lat(d.p99)} (p50 ${lat(d.p50)}; of ${o.open.sent}: busy ${o.open.busy}, neither ${o.open.neither}; the minimal app opens no modal)`,
        target: `< ${OPEN_TARGET_MS} ms`,
        pass: d.p99 < OPEN_TARGET_MS,
      });
    }
  }
  const ours = f.closed.find((c) => c.app === 'ours');
  const minimal = f.closed.find((c) => c.app === 'minimal');
  const co = ours?.outcome;
  const cp99 = (c?: ClosedCell) => (c ? summarize(c.ack.samples).p99 : Number.NaN);
  const closedName = `${f.modal.name}, closed loop ${setup.closed.concurrency} in flight`;
  rows.push({
    metric: `${closedName}: ack p99 (ours)`,
    measured: `${ms(cp99(ours))} (minimal Bolt ${ms(cp99(minimal))})`,
    target: `< ${CLOSED_P99_TARGET_MS} ms`,
    pass: ours !== undefined && clean(ours.ack) && cp99(ours) < CLOSED_P99_TARGET_MS,
  });
  if (co) {
    rows.push({
      metric: `${closedName}: modal opened within 3 s / busy message on response_url`,
      measured: `${co.inTime} / ${co.busy} of ${co.sent}`,
    });
    rows.push({
      metric: `${closedName}: neither views.open nor busy message${co.both ? ' (or both)' : ''}`,
      measured: `${co.neither + co.both}${co.both ? ` (both: ${co.both})` : ''}`,
      target: '0',
      pass: co.neither + co.both === 0,
    });
    rows.push({
      metric: `${closedName}: views.open later than 3 s after the command`,
      measured: `${co.late} (latest ${co.delays.length ? ms(finiteMax(co.delays)) : 'n/a'})`,
      target: '0',
      pass: co.late === 0,
    });
  }
  const pacedModal = f.paced.filter((p) => p.scenario === f.modal);
  const pm = (app: AppName) => pacedModal.find((p) => p.app === app)?.stats;
  rows.push({
    metric: `${f.modal.name}, one at a time (${setup.paced.pauseMs} ms apart): ack p50 / p99 (ours)`,
    measured: `${ms(pm('ours')?.p50 ?? Number.NaN)} / ${ms(pm('ours')?.p99 ?? Number.NaN)} (minimal Bolt ${ms(pm('minimal')?.p50 ?? Number.NaN)} / ${ms(pm('minimal')?.p99 ?? Number.NaN)})`,
  });

  const openTable: DetailTable = {
    title: `Open loop: scheduled send → end of the HTTP response (the ack), ms, pooled over ${setup.rounds} rounds; \`sender lag\` is how late the generator wrote the request`,
    headers: [
      'request',
      'rate',
      'app',
      'n',
      'p50',
      'p90',
      'p99',
      "rounds' p99",
      'max',
      'sender lag p99',
      'HTTP',
    ],
    rows: f.open.map((c) => {
      const s = summarize(c.ack.samples);
      return [
        c.scenario.name,
        `${c.rate}/s`,
        c.app,
        String(s.n),
        f2(s.p50),
        f2(s.p90),
        f2(s.p99),
        range(c.ack.roundP99s),
        f2(s.max),
        f2(summarize(c.ack.lags).p99),
        statusSummary(c.ack.statuses, c.ack.errors),
      ];
    }),
  };
  const modalTable: DetailTable = {
    title: 'Open loop, ours: scheduled send of the command → the fake Slack receiving its views.open, ms',
    headers: ['rate', 'commands', 'p50', 'p90', 'p99', 'max', 'opened ≤ 3 s', 'later', 'busy', 'neither'],
    rows: f.open.flatMap((c) => {
      if (!c.open) return [];
      const s = summarize(c.open.delays);
      const o = c.open;
      const counts = [o.inTime, o.late, o.busy, o.neither].map(String);
      return [
        [`${c.rate}/s`, String(o.sent), f2(s.p50), f2(s.p90), f2(s.p99), f2(finiteMax(o.delays)), ...counts],
      ];
    }),
  };
  const closedTable: DetailTable = {
    title: `Closed loop, ${setup.closed.concurrency} in flight, ${f.modal.name}: write → end of the ack, ms; then what became of each command`,
    headers: [
      'app',
      'n',
      'acks/s',
      'p50',
      'p90',
      'p99',
      'max',
      'HTTP',
      'opened ≤ 3 s',
      'later',
      'busy',
      'neither',
      'both',
    ],
    rows: f.closed.map((c) => {
      const s = summarize(c.ack.samples);
      const o = c.outcome;
      const counts = o
        ? [o.inTime, o.late, o.busy, o.neither, o.both].map(String)
        : ['—', '—', '—', '—', '—'];
      const rate = ((s.n / c.wallMs) * 1000).toFixed(0);
      return [
        c.app,
        String(s.n),
        rate,
        f2(s.p50),
        f2(s.p90),
        f2(s.p99),
        f2(s.max),
        statusSummary(c.ack.statuses, c.ack.errors),
        ...counts,
      ];
    }),
  };
  const pacedTable: DetailTable = {
    title: `One at a time, ${setup.paced.pauseMs} ms between an answer and the next request (${setup.paced.count} each): write → end of the ack, ms`,
    headers: ['request', 'app', 'p50', 'p90', 'p99', 'max', 'HTTP'],
    rows: f.paced.map((p) => [
      p.scenario.name,
      p.app,
      f2(p.stats.p50),
      f2(p.stats.p90),
      f2(p.stats.p99),
      f2(p.stats.max),
      p.status,
    ]),
  };
  const bad = [...f.open.map((c) => c.ack), ...f.closed.map((c) => c.ack)].filter((l) => !clean(l)).length;
  const posts = [...f.open.flatMap((c) => (c.open ? [c.open] : [])), ...(co ? [co] : [])].reduce(
    (a, o) => a + o.otherPosts,
    0,
  );
  return {
    id: 'ack',
    title: '1. Acknowledgement latency',
    method: [
      'Correctly signed requests (v0 HMAC, fresh timestamp) POSTed to `/slack/events` over keep-alive HTTP/1.1 connections, to the real app (the `npm start` composition root, `buildApplication` with its production defaults, LOG_LEVEL=info, SQLite file) and, in the same run, to a minimal Bolt app (same @slack/bolt, HTTPReceiver) whose only listeners — the command and the `target_user` action — just ack. Both apps call a fake Slack Web API.',
      `**Open loop** (how Slack sends): arrivals on a schedule fixed in advance — Poisson at 50/s and 200/s, the same seeded schedule for both apps — leave whether or not earlier requests were answered, on as many connections as needed; latency is from the *scheduled* send time, so a late answer cannot delay the next request and hide the queue it causes (no coordinated omission). Per (request, rate, app): ${setup.rounds} rounds of ${setup.warmupSeconds} s of uncounted arrivals and then ${setup.perRound} measured in the same stream, the apps alternating which goes first; figures are pooled over the rounds (${setup.rounds * setup.perRound} arrivals). For the modal command, the command's scheduled send time to the fake Slack receiving \`views.open\` with its trigger id (one monotonic clock, shared by the processes); a command never opened counts as infinitely late. The modal command is measured at both rates; \`help\` and the block action at 200/s.`,
      `**Closed loop** (overload test): ${setup.closed.concurrency} modal commands in flight, the next leaving as soon as one is answered (latency from writing it), for ${setup.closed.seconds} s after ${setup.closed.warmup} uncounted — long enough for the overload to outlast the 3-second trigger window; each command's response_url points at a local server of the benchmark. After the acks the benchmark waits until every command has an outcome and counts: views.open received within 3 s of the command, the busy message (admission control: when the expected wait would put views.open past the trigger window, the app posts an ephemeral “too busy, try again” to the response_url instead), neither, or both.`,
      `**One at a time**, ${setup.paced.count} requests of each kind ${setup.paced.pauseMs} ms apart: the ack path with no after-ack work queued. Before anything is measured, 200 requests of each kind to each app (JIT warm-up); after every run the benchmark waits until the apps' after-ack work has drained (no fake Slack call for 400 ms).`,
      `Processes on this ${cpus().length}-core machine: the load generator (with the response_url server), the real app, the minimal app and the fake Slack each run in their own process; ${setup.pinned ? 'the apps are pinned with taskset to the last CPU, the load generator and the fake Slack to the other;' : 'CPU pinning (taskset) was not available, so all processes share the CPUs;'}${setup.niced ? ' the fake Slack runs at nice 10 so that the generator, which needs little CPU, is not held up by it;' : ''} the two apps are measured one after the other, never at the same time.`,
    ].join(' '),
    rows,
    details: [openTable, modalTable, closedTable, pacedTable],
    notes: [
      'After its ack the modal command makes the app call `views.open`, then (low priority) `users.info`, `admin.users.session.list` and `views.update`; the block action `views.update`, the lookups and `views.update` again. That work runs on the app’s event loop after the ack and competes with later acks — it is what separates the app from the minimal one under load; one at a time shows the ack path itself.',
      `Fake Slack calls in the whole run: ${Object.entries(f.byMethod)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}.`,
      `1-minute load average ${f.load[0].toFixed(2)} before and ${f.load[1].toFixed(2)} after this benchmark (other work on the machine adds noise; the rounds’ p99 range shows how much).`,
      bad
        ? `${bad} cells had non-200 answers or errors (see the HTTP columns).`
        : 'Every measured request was answered 200.',
      ...(posts ? [`${posts} posts to a response_url were not the busy message.`] : []),
    ],
    durationMs: f.durationMs,
  };
}
