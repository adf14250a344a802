/**
 * Benchmark 4c — a bulk grows linearly. The same set-up as benchmark 4 (the real app in its own
 * process, SQLite, every system faked, the request submitted through the modal), but with no rate
 * limits anywhere — neither the fakes' nor the app's own budgets — and vendors that answer at once,
 * so the time is the app's own work. A bulk of 250 people and one of 1,000 are recorded and run,
 * each in a fresh app after a warm-up bulk; the cost per person at 1,000 must stay within
 * {@link TARGET_RATIO} of the cost per person at 250. A display that copied or scanned every step for
 * each finished step (the runner did) makes the 1,000-person run cost 4× per person what the
 * 250-person one does in that part.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalSteps, readRun, SYSTEMS } from './lib/bulk-db.js';
import { finishedParent, seedPeople, sessionsLeft, slackIds, submitRequest } from './lib/bulk-setup.js';
import { type Child, startChild, tsxArgs } from './lib/children.js';
import { cpuTimeMs } from './lib/cpu-time.js';
import type { Benchmark, Row, Section } from './lib/section.js';
import { until } from './lib/wait.js';
import { type Systems, startSystems } from './systems.js';

const SIZES = [250, 1_000] as const;
/** The smaller size before and after the larger one: drift in the machine's load weighs on both. */
const ORDER = [250, 1_000, 250] as const;
/** A smaller bulk first in every app: its tokens, JIT and prepared statements are not timed. */
const WARM_UP = 50;
/** Per-person cost at 1,000 people / per-person cost at 250: linear is ×1 (quadratic would be ×4 in its part). */
const TARGET_RATIO = 1.3;
const TIMEOUT_MS = 4 * 60_000;

interface Measured {
  people: number;
  wallMs: number;
  /** CPU of the app process (every thread, GC included) from the submission to "Finished". */
  cpuMs: number;
  lost: number;
  request: string;
}

const ms = (x: number) => `${x.toFixed(2)} ms`;
const seconds = (x: number) => `${(x / 1000).toFixed(1)} s`;

/** One fresh app: a warm-up bulk, then the measured one. */
async function measure(people: number): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'revoke-bench-linear-'));
  const dbFile = join(dir, 'bench.db');
  let systems: Systems | undefined;
  let app: Child | undefined;
  try {
    // Vendors answer at once (no delay, no limit): the run is the app's work, not waiting.
    systems = await startSystems({ delayMs: 0, calls: 0 });
    const s = systems;
    const warm = slackIds('UW', WARM_UP);
    const bulk = slackIds('UB', people);
    seedPeople(s, [...warm, ...bulk]);
    // appEnv sets REVOKE_RATE_LIMITS=off: the app keeps to no budget of its own either.
    app = startChild(tsxArgs('app-server.ts'), { env: s.env(dbFile), cwd: dir, ready: /LISTENING (\d+)/ });
    const url = `http://127.0.0.1:${await app.ready}`;
    const pid = app.proc.pid ?? 0;
    const finish = async (first: string, what: string) => {
      if (!(await until(() => finishedParent(s, first) !== undefined, TIMEOUT_MS, 20)))
        throw new Error(`the ${what} did not finish within ${TIMEOUT_MS / 60_000} min`);
    };
    await submitRequest(url, { targets: warm, viewId: 'VWARM', reason: 'benchmark 4c: warm-up' });
    await finish(warm[0] ?? '', `warm-up bulk of ${WARM_UP}`);

    const cpu0 = cpuTimeMs(pid);
    const t0 = performance.now();
    await submitRequest(url, { targets: bulk, viewId: 'VBULK', reason: `benchmark 4c: ${people} people` });
    await finish(bulk[0] ?? '', `bulk of ${people}`);
    const wallMs = performance.now() - t0;
    const cpu1 = cpuTimeMs(pid);
    if (cpu0 === undefined || cpu1 === undefined) throw new Error('cannot read the app’s CPU time (/proc)');
    await app.stop(30_000);

    const record = readRun(dbFile);
    const left = sessionsLeft(s, bulk);
    const lost =
      SYSTEMS.reduce((a, sys) => a + (people + WARM_UP - finalSteps(record, sys)), 0) +
      Object.values(left).reduce((a, n) => a + n, 0);
    const request = record.requests.find((r) => r.summary?.includes(`${people * 6} revoked`));
    return {
      people,
      wallMs,
      cpuMs: cpu1 - cpu0,
      lost,
      request: request
        ? `${request.status} (${request.summary})`
        : record.requests.map((r) => r.summary).join('; '),
    };
  } finally {
    await app?.stop().catch(() => {});
    await systems?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(): Promise<Section> {
  const started = performance.now();
  const results: Measured[] = [];
  for (const people of ORDER) {
    const m = await measure(people);
    process.stdout.write(
      `  [bulk-linear] ${people} people: ${seconds(m.wallMs)} wall, ${seconds(m.cpuMs)} app CPU\n`,
    );
    results.push(m);
  }
  const [smallest, largest] = SIZES;
  const small = results.filter((m) => m.people === smallest);
  const large = results.filter((m) => m.people === largest);
  /** Per person, over every run of that size (the runs' totals added up). */
  const per = (runs: Measured[], pick: (m: Measured) => number) =>
    runs.reduce((a, m) => a + pick(m), 0) / runs.reduce((a, m) => a + m.people, 0);
  const wall = (m: Measured) => m.wallMs;
  const cpu = (m: Measured) => m.cpuMs;
  const cpuRatio = per(large, cpu) / per(small, cpu);
  const wallRatio = per(large, wall) / per(small, wall);
  const sizeRows: Row[] = SIZES.map((people) => {
    const runs = results.filter((m) => m.people === people);
    const each =
      runs.length > 1
        ? `; runs: ${runs.map((m) => `${ms(m.wallMs / m.people)} / ${ms(m.cpuMs / m.people)}`).join(' and ')}`
        : '';
    return {
      metric: `${people} people: submission → "Finished", per person (wall / app CPU)`,
      measured: `${ms(per(runs, wall))} / ${ms(per(runs, cpu))} (${runs.map((m) => `${seconds(m.wallMs)} / ${seconds(m.cpuMs)}`).join(', ')} in all${each}; ${runs[0]?.request ?? ''})`,
    };
  });
  return {
    id: 'bulk-linear',
    title: '4c. A bulk grows linearly',
    method: [
      `A bulk request for ${smallest} and for ${largest} people (each with an account in all seven systems: ${largest * 7} steps at ${largest}), submitted through the request modal ("Also revoke for") to the real app in its own process (SQLite), no approval needed — the set-up of benchmark 4 without any rate limit: the fakes enforce none and answer at once, and the app's own budgets are off (REVOKE_RATE_LIMITS=off), so the time is the app's own work of recording and running the request (lookups, steps, audit records, the results thread).`,
      `Each run is a fresh app (and fresh fakes) that first runs an untimed warm-up bulk of ${WARM_UP} other people; the sizes run in the order ${ORDER.join(', ')}, so a change in the machine's other load weighs on both sizes. Measured from sending the submission to the results parent showing "Finished": the wall time, and the CPU the app process used meanwhile (utime + stime of /proc/<pid>/stat: every thread, GC included), each per person.`,
      `Linear: the per-person cost at ${largest} people within ×${TARGET_RATIO} of that at ${smallest}. Work per finished step that grows with the request (copying or scanning every step for each step's display) makes the per-person cost grow with the size.`,
    ].join(' '),
    rows: [
      {
        metric: `app CPU per person, ${largest} people / ${smallest} people`,
        measured: `×${cpuRatio.toFixed(2)} (${ms(per(large, cpu))} vs ${ms(per(small, cpu))})`,
        target: `≤ ×${TARGET_RATIO}`,
        pass: cpuRatio <= TARGET_RATIO,
      },
      {
        metric: `wall time per person, ${largest} people / ${smallest} people`,
        measured: `×${wallRatio.toFixed(2)} (${ms(per(large, wall))} vs ${ms(per(small, wall))})`,
        target: `≤ ×${TARGET_RATIO}`,
        pass: wallRatio <= TARGET_RATIO,
      },
      {
        metric: 'people lost (no final step, or a session left)',
        measured: results.map((m) => `${m.lost} of ${m.people}`).join(', '),
        target: '0',
        pass: results.every((m) => m.lost === 0),
      },
      ...sizeRows,
    ],
    notes: [
      "The wall time also holds the fakes, which run in the benchmark process and look people up in plain arrays (their cost per call grows with the people seeded), and SQLite's fsync of every write (synchronous = FULL); the app CPU is the app alone.",
    ],
    durationMs: performance.now() - started,
  };
}

export const bulkLinear: Benchmark = { id: 'bulk-linear', title: '4c. A bulk grows linearly', run };
