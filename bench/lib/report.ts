/** The console summary and bench/RESULTS.md. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { machineInfo } from './machine.js';
import { mergeResults } from './merge-results.js';
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
  /**
   * Some benchmarks ran, not all: replace their sections in the file and keep the others as they
   * are. `order` is every benchmark's title in run order (where a section new to the file goes).
   */
  merge?: { order: readonly string[] };
}

/**
 * Renders the sections as Markdown and writes bench/RESULTS.md — the whole file after a full run,
 * only the sections that ran (the others kept) with `merge`; returns the text written.
 */
export function writeResults(sections: readonly Section[], options: WriteOptions): string {
  const file = options.file ?? new URL('RESULTS.md', BENCH_URL);
  const fresh = render(sections, options);
  const text =
    options.merge && existsSync(file)
      ? mergeResults(readFileSync(file, 'utf8'), fresh, {
          order: options.merge.order,
          provenance: `${sectionNames(sections)} measured again by \`${options.command}\` on ${options.startedAt.toISOString()}, on ${machineInfo().os}; the other sections are from the runs above.`,
        })
      : fresh;
  writeFileSync(file, text);
  return text;
}

/** "Section 2 was" or "Sections 1, 4b and 6 were" (the number before each title's dot). */
function sectionNames(sections: readonly Section[]): string {
  const names = sections.map((s) => s.title.split('.')[0] ?? s.title);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join('');
  return names.length > 1 ? `Sections ${list} were` : `Section ${list} was`;
}

/** The whole RESULTS.md for these sections. */
function render(sections: readonly Section[], options: WriteOptions): string {
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
  return out.join('\n');
}
