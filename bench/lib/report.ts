/** The console summary and bench/RESULTS.md. */
import { writeFileSync } from 'node:fs';
import { machineInfo } from './machine.js';
import { BENCH_URL } from './paths.js';
import { type Section, verdict } from './section.js';
import { markdownTable, renderTable } from './tables.js';

const VERDICT_HEADERS = ['benchmark', 'metric', 'measured', 'target', 'result'];

function verdictRows(sections: readonly Section[]): string[][] {
  return sections.flatMap((s) =>
    s.rows.map((r) => [s.title, r.metric, r.measured, r.target ?? '—', verdict(r.pass)]),
  );
}

/** Prints the summary table of every section to stdout. */
export function printSummary(sections: readonly Section[]): void {
  process.stdout.write(`\n${renderTable(VERDICT_HEADERS, verdictRows(sections))}\n`);
}

export interface WriteOptions {
  /** The command that produced the results, e.g. `npm run bench`. */
  command: string;
  startedAt: Date;
  /** Defaults to bench/RESULTS.md. */
  file?: URL;
}

/** Renders the sections as Markdown and writes bench/RESULTS.md; returns the text. */
export function writeResults(sections: readonly Section[], options: WriteOptions): string {
  const m = machineInfo();
  const out: string[] = [
    '# Benchmark results',
    '',
    `Produced by \`${options.command}\` on ${options.startedAt.toISOString()} — the figures below were measured on this machine, not estimated.`,
    '',
    '| machine | |',
    '|---|---|',
    `| os | ${m.os} |`,
    `| cpu | ${m.cpu} |`,
    `| cores | ${m.cores} |`,
    `| memory | ${m.memory} |`,
    `| node | ${m.node} |`,
    '',
    '## Summary',
    '',
    markdownTable(VERDICT_HEADERS, verdictRows(sections)),
    '',
    'PASS / MISS compares the measured figure with the target; `info` rows have no target.',
    '',
  ];
  for (const s of sections) {
    out.push(`## ${s.title}`, '', s.method, '');
    out.push(
      markdownTable(
        ['metric', 'measured', 'target', 'result'],
        s.rows.map((r) => [r.metric, r.measured, r.target ?? '—', verdict(r.pass)]),
      ),
      '',
    );
    for (const d of s.details ?? []) {
      if (d.title) out.push(`**${d.title}**`, '');
      out.push(markdownTable(d.headers, d.rows), '');
    }
    for (const n of s.notes ?? []) out.push(`- ${n}`);
    if (s.notes?.length) out.push('');
    if (s.durationMs !== undefined) out.push(`_Took ${(s.durationMs / 1000).toFixed(1)} s._`, '');
  }
  const text = out.join('\n');
  writeFileSync(options.file ?? new URL('RESULTS.md', BENCH_URL), text);
  return text;
}
