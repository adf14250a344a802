/**
 * What a benchmark reports. A benchmark is a module that exports a {@link Benchmark}; `bench/run.ts`
 * runs them in order and hands their {@link Section}s to the report writer (`report.ts`).
 */

/** One line of a benchmark's verdict table. `pass` undefined = informational (no target). */
export interface Row {
  metric: string;
  measured: string;
  target?: string;
  pass?: boolean;
}

/** A free-form table (e.g. per-level latencies) printed under the verdict rows. */
export interface DetailTable {
  title?: string;
  headers: string[];
  rows: string[][];
}

/** What one benchmark reports. */
export interface Section {
  /** Short id used on the command line (`npm run bench -- ack`). */
  id: string;
  /** e.g. "1. Acknowledgement latency". */
  title: string;
  /** One paragraph: what was measured and how. */
  method: string;
  rows: Row[];
  details?: DetailTable[];
  notes?: string[];
  /** Wall time the benchmark took. */
  durationMs?: number;
}

/** A benchmark: bounded in requests and time, talks only to 127.0.0.1, cleans up after itself. */
export interface Benchmark {
  id: string;
  title: string;
  run(): Promise<Section>;
}

/** `PASS`, `MISS`, or `info` for a row without a target. */
export function verdict(pass: boolean | undefined): string {
  return pass === undefined ? 'info' : pass ? 'PASS' : 'MISS';
}
