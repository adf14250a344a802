import { describe, expect, it } from 'vitest';
import { mergeResults } from '../../bench/lib/merge-results.js';

/** A RESULTS.md as bench/lib/report.ts writes it, cut down to what the merge reads. */
function results(opts: { produced: string; sections: { title: string; rows: string[]; body: string }[] }) {
  return [
    '# Benchmark results',
    '',
    opts.produced,
    '',
    '| machine | |',
    '|---|---|',
    '| cores | 2 |',
    '',
    '## Summary',
    '',
    '| benchmark | metric | measured | target | result |',
    '|---|---|---|---|---|',
    ...opts.sections.flatMap((s) => s.rows.map((r) => `| ${s.title} | ${r} | — | info |`)),
    '',
    'PASS / MISS compares the measured figure with the target; `info` rows have no target.',
    '',
    ...opts.sections.flatMap((s) => [`## ${s.title}`, '', s.body, '']),
  ].join('\n');
}

const ORDER = ['1. Ack', '2. Command to modal', '4. Bulk', '4b. While a bulk runs'];
const PROVENANCE = 'Section 2 was measured again by `npm run bench -- modal` on 2026-12-07T04:00:00.000Z.';

const previous = results({
  produced: 'Produced by `npm run bench` on 2026-12-01. A hand-written note about the machine.',
  sections: [
    { title: '1. Ack', rows: ['ack p99 | 5 ms'], body: 'ack method, old' },
    { title: '2. Command to modal', rows: ['CPU | 0.91 ms', 'p99 | 64 ms'], body: 'modal method, old' },
    { title: '4b. While a bulk runs', rows: ['p50 | 0.6 s'], body: 'during-bulk, old' },
  ],
});

describe('mergeResults: running some benchmarks keeps the other sections of RESULTS.md', () => {
  it('replaces the sections that ran, in place, and keeps every other line as it was', () => {
    const fresh = results({
      produced: 'Produced by `npm run bench -- modal` on 2026-12-07.',
      sections: [{ title: '2. Command to modal', rows: ['CPU | 0.80 ms'], body: 'modal method, new' }],
    });
    const merged = mergeResults(previous, fresh, { order: ORDER, provenance: PROVENANCE }).split('\n');
    expect(merged.filter((l) => l.startsWith('## '))).toEqual([
      '## Summary',
      '## 1. Ack',
      '## 2. Command to modal',
      '## 4b. While a bulk runs',
    ]);
    expect(merged).toContain('ack method, old');
    expect(merged).toContain('during-bulk, old');
    expect(merged).toContain('modal method, new');
    expect(merged).not.toContain('modal method, old');
    const rows = merged.filter((l) => l.startsWith('| ') && l.endsWith('| info |'));
    expect(rows).toEqual([
      '| 1. Ack | ack p99 | 5 ms | — | info |',
      '| 2. Command to modal | CPU | 0.80 ms | — | info |',
      '| 4b. While a bulk runs | p50 | 0.6 s | — | info |',
    ]);
    // The old provenance stays; the new line goes just above the machine table.
    expect(merged).toContain(
      'Produced by `npm run bench` on 2026-12-01. A hand-written note about the machine.',
    );
    expect(merged).not.toContain('Produced by `npm run bench -- modal` on 2026-12-07.');
    expect(merged[merged.indexOf('| machine | |') - 2]).toBe(PROVENANCE);
    expect(merged.filter((l) => l.startsWith('PASS / MISS'))).toHaveLength(1);
  });

  it('puts a section new to the file where its benchmark runs, with its summary rows', () => {
    const fresh = results({
      produced: 'Produced by `npm run bench -- bulk` on 2026-12-07.',
      sections: [{ title: '4. Bulk', rows: ['lost | 0'], body: 'bulk method' }],
    });
    const merged = mergeResults(previous, fresh, { order: ORDER, provenance: PROVENANCE }).split('\n');
    expect(merged.filter((l) => l.startsWith('## ')).slice(1)).toEqual([
      '## 1. Ack',
      '## 2. Command to modal',
      '## 4. Bulk',
      '## 4b. While a bulk runs',
    ]);
    const titles = merged.filter((l) => l.endsWith('| info |')).map((l) => l.split(' | ')[0]);
    expect(titles).toEqual([
      '| 1. Ack',
      '| 2. Command to modal',
      '| 2. Command to modal',
      '| 4. Bulk',
      '| 4b. While a bulk runs',
    ]);
  });

  it('measuring the same sections again replaces their provenance line (merging twice = merging once)', () => {
    const fresh = results({
      produced: 'Produced by `npm run bench -- modal` on 2026-12-07.',
      sections: [{ title: '2. Command to modal', rows: ['CPU | 0.80 ms'], body: 'modal method, new' }],
    });
    const once = mergeResults(previous, fresh, { order: ORDER, provenance: PROVENANCE });
    const twice = mergeResults(once, fresh, { order: ORDER, provenance: PROVENANCE });
    expect(twice).toBe(once);
    const later = PROVENANCE.replace('04:00', '05:00');
    const again = mergeResults(once, fresh, { order: ORDER, provenance: later }).split('\n');
    expect(again.filter((l) => l.startsWith('Section 2 was measured again'))).toEqual([later]);
    // Another section's line stays.
    const other = 'Section 4 was measured again by `npm run bench -- bulk` on 2026-12-07T06:00:00.000Z.';
    const both = mergeResults(once, fresh, { order: ORDER, provenance: other }).split('\n');
    expect(both).toContain(PROVENANCE);
    expect(both).toContain(other);
  });

  it('with no results yet (no sections to keep), the fresh text as it is', () => {
    const fresh = results({ produced: 'Produced by `npm run bench -- modal`.', sections: [] });
    expect(mergeResults('', fresh, { order: ORDER, provenance: PROVENANCE })).toBe(fresh);
  });
});
