/**
 * `npm run bench` — runs every benchmark in order, prints a table, and writes
 * bench/RESULTS.md. `npm run bench -- ack startup` runs only the named ones
 * (their sections of RESULTS.md are replaced, the others kept). Every benchmark is bounded in requests;
 * a watchdog ends the run (and every child process it started) after 45 min.
 *
 * To profile the processes a benchmark starts, pass node flags through
 * BENCH_NODE_ARGS, e.g. `BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- modal`.
 *
 * To add a benchmark (e.g. 3 "approval to done" or 4 "bulk 1,000 people"):
 * write bench/<name>.ts exporting a `Benchmark` whose `run()` returns a
 * `Section` (see lib/section.ts), and add it to BENCHMARKS below.
 */

import { cpus } from 'node:os';
import { ackLatency } from './ack-latency.js';
import { approvalToDone } from './approval-to-done.js';
import { bulkBenchmark } from './bulk.js';
import { bulkLinear } from './bulk-linear.js';
import { commandToModal } from './command-to-modal.js';
import { commitBenchmark } from './commit.js';
import { duringBulk } from './during-bulk.js';
import { growthBenchmark } from './growth.js';
import { killAllChildren } from './lib/children.js';
import { watchOtherLoad } from './lib/machine.js';
import { printSummary, writeResults } from './lib/report.js';
import type { Benchmark, Section } from './lib/section.js';
import { postgresBenchmark } from './postgres.js';
import { startup } from './startup.js';

const BENCHMARKS: Benchmark[] = [
  ackLatency,
  commandToModal,
  approvalToDone,
  bulkBenchmark,
  duringBulk,
  bulkLinear,
  startup,
  commitBenchmark,
  growthBenchmark,
  postgresBenchmark,
];
/** The whole set takes about 26 min (the bulk runs about 4, 5.5 and 2 of them, commits 4, growth 4); a stuck one is ended. */
const WATCHDOG_MS = 45 * 60_000;

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = wanted.length ? BENCHMARKS.filter((b) => wanted.includes(b.id)) : BENCHMARKS;
if (selected.length === 0) {
  process.stderr.write(
    `No such benchmark: ${wanted.join(', ')}. Known: ${BENCHMARKS.map((b) => b.id).join(', ')}\n`,
  );
  process.exit(2);
}

const watchdog = setTimeout(() => {
  process.stderr.write(`bench: still running after ${WATCHDOG_MS / 60_000} min; stopping.\n`);
  killAllChildren();
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}

const startedAt = new Date();
const sections: Section[] = [];
let failed = false;
for (const b of selected) {
  process.stdout.write(`\n== ${b.title}\n`);
  const others = watchOtherLoad();
  try {
    const section = await b.run();
    const busy = others.stop();
    section.notes = [
      ...(section.notes ?? []),
      `Other processes on this machine kept ${busy.toFixed(2)} of ${cpus().length} cores busy on average while this benchmark ran${busy > 0.25 ? ' — the figures above carry that interference' : ''}.`,
    ];
    sections.push(section);
  } catch (error) {
    others.stop();
    failed = true;
    process.stderr.write(`${b.title} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    sections.push({
      id: b.id,
      title: b.title,
      method: 'The benchmark did not complete.',
      rows: [
        {
          metric: 'run',
          measured: `error: ${String(error).split('\n')[0]}`,
          target: 'completes',
          pass: false,
        },
      ],
    });
    killAllChildren();
  }
}

const command = `npm run bench${wanted.length ? ` -- ${wanted.join(' ')}` : ''}`;
printSummary(sections);
writeResults(sections, {
  command,
  startedAt,
  merge: wanted.length ? { order: BENCHMARKS.map((b) => b.title) } : undefined,
});
process.stdout.write('\nWrote bench/RESULTS.md\n');
clearTimeout(watchdog);
process.exit(failed ? 1 : 0);
