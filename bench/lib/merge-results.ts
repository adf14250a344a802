/**
 * Running some benchmarks (`npm run bench -- modal`) replaces their sections of bench/RESULTS.md and
 * keeps every other section — its text, its summary rows and the notes above the machine table — as
 * it was; the line saying what was measured again replaces an earlier one for the same sections.
 * Pure: text in, text out.
 */

/** A RESULTS.md cut into its parts: the text before the summary, the summary, the sections. */
interface Parsed {
  /** Everything before `## Summary` (title, provenance paragraphs, machine table). */
  preamble: string[];
  /** The summary's table rows, by the section title in their first cell. */
  summaryRows: Map<string, string[]>;
  /** The summary's lines before its rows (heading, table header) and after them (the legend). */
  summaryHead: string[];
  summaryTail: string[];
  /** Each `## ` section after the summary, heading line included, in file order. */
  sections: { title: string; lines: string[] }[];
}

const SUMMARY = '## Summary';

function parse(text: string): Parsed {
  const lines = text.split('\n');
  const parsed: Parsed = {
    preamble: [],
    summaryRows: new Map(),
    summaryHead: [],
    summaryTail: [],
    sections: [],
  };
  let part: 'preamble' | 'summary' | 'sections' = 'preamble';
  for (const line of lines) {
    if (line === SUMMARY) {
      part = 'summary';
    } else if (line.startsWith('## ')) {
      part = 'sections';
      parsed.sections.push({ title: line.slice(3), lines: [] });
    }
    if (part === 'preamble') parsed.preamble.push(line);
    else if (part === 'sections') parsed.sections.at(-1)?.lines.push(line);
    else summaryLine(parsed, line);
  }
  return parsed;
}

/** A table row (`| title | … |`, not the header or its `|---|` rule) joins its section's rows. */
function summaryLine(parsed: Parsed, line: string): void {
  const inTable = line.startsWith('| ') && !line.startsWith('| benchmark |');
  if (inTable && parsed.summaryTail.length === 0) {
    const title = line.slice(2).split(' | ')[0] ?? '';
    parsed.summaryRows.set(title, [...(parsed.summaryRows.get(title) ?? []), line]);
  } else if (parsed.summaryRows.size > 0 || (line !== '' && !line.startsWith('|') && line !== SUMMARY)) {
    parsed.summaryTail.push(line);
  } else {
    parsed.summaryHead.push(line);
  }
}

export interface MergeOptions {
  /** Every benchmark's section title in run order: where a section new to the file goes. */
  order: readonly string[];
  /** One line saying what was measured again, by which command and when; goes above the machine table. */
  provenance: string;
}

/**
 * `previous` (the RESULTS.md on disk) with the sections of `fresh` (what this run rendered) in place
 * of their namesakes, new ones inserted in benchmark order, and the provenance line added.
 */
export function mergeResults(previous: string, fresh: string, options: MergeOptions): string {
  const old = parse(previous);
  const now = parse(fresh);
  if (old.sections.length === 0) return fresh;
  const rank = (title: string) => {
    const i = options.order.indexOf(title);
    return i < 0 ? options.order.length : i;
  };
  const sections = [...old.sections];
  for (const s of now.sections) {
    const at = sections.findIndex((o) => o.title === s.title);
    if (at >= 0) sections[at] = s;
    else {
      const before = sections.findIndex((o) => rank(o.title) > rank(s.title));
      sections.splice(before < 0 ? sections.length : before, 0, s);
    }
  }
  const rowsOf = (title: string) => now.summaryRows.get(title) ?? old.summaryRows.get(title) ?? [];
  const kept = withoutProvenance(old.preamble, options.provenance);
  const machine = kept.findIndex((l) => l.startsWith('| machine |'));
  const preamble =
    machine < 0
      ? [...kept, options.provenance, '']
      : [...kept.slice(0, machine), options.provenance, '', ...kept.slice(machine)];
  return [
    ...preamble,
    ...old.summaryHead,
    ...sections.flatMap((s) => rowsOf(s.title)),
    ...old.summaryTail,
    ...sections.flatMap((s) => s.lines),
  ].join('\n');
}

/**
 * The preamble without an earlier line of the same kind as `provenance` (the same sections measured
 * again: the same words up to `by`) and the blank line after it, so that re-running a benchmark
 * replaces its line instead of adding another.
 */
function withoutProvenance(preamble: readonly string[], provenance: string): string[] {
  const by = provenance.indexOf(' by ');
  if (by < 0) return [...preamble];
  const kind = provenance.slice(0, by + 4);
  return preamble.filter(
    (line, i) => !line.startsWith(kind) && !(line === '' && preamble[i - 1]?.startsWith(kind)),
  );
}
