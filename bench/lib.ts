/**
 * Shared helpers for the benchmarks: statistics, a load generator, child
 * processes, tables and the RESULTS.md writer. A benchmark is a module that
 * exports a {@link Benchmark}; `bench/run.ts` runs them in order and hands
 * their {@link Section}s to {@link writeResults}.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
export { Agent };

import { createServer } from 'node:net';
import { arch, cpus, type as osType, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The repository root, as a file URL and as a path. */
export const REPO_URL = new URL('../', import.meta.url);
export const REPO = fileURLToPath(REPO_URL);

// ---------------------------------------------------------------------------
// Results model
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------

export interface Stats {
  n: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending-sorted array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    n: s.length,
    min: s[0] ?? Number.NaN,
    mean: s.length ? sum / s.length : Number.NaN,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? Number.NaN,
  };
}

/** The median (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? ((s[(s.length - 1) >> 1] ?? 0) + (s[s.length >> 1] ?? 0)) / 2 : Number.NaN;
}

/** `12.3 ms` (two significant decimals under 10 ms). */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`;
}

export function verdict(pass: boolean | undefined): string {
  return pass === undefined ? 'info' : pass ? 'PASS' : 'MISS';
}

// ---------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------

/** A plain-text table with aligned columns, for the console. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A GitHub-flavoured Markdown table (pipes in cells escaped). */
export function markdownTable(headers: string[], rows: string[][]): string {
  const cell = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${headers.map(cell).join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

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

// ---------------------------------------------------------------------------
// Machine and RESULTS.md
// ---------------------------------------------------------------------------

export interface MachineInfo {
  os: string;
  cpu: string;
  cores: number;
  memory: string;
  node: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    os: `${osType()} ${release()} (${platform()}/${arch()})`,
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
  };
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
  writeFileSync(options.file ?? new URL('RESULTS.md', import.meta.url), text);
  return text;
}

// ---------------------------------------------------------------------------
// Slack request signing
// ---------------------------------------------------------------------------

export function slackHeaders(secret: string, body: string, contentType: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': signature,
  };
}

// ---------------------------------------------------------------------------
// Load generator
// ---------------------------------------------------------------------------

export interface LoadRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  /** Milliseconds from writing the request to the end of the response, per request. */
  latencies: number[];
  statuses: Map<number, number>;
  errors: number;
  wallMs: number;
}

/**
 * Sends `count` POSTs to `baseUrl` (127.0.0.1 only) with at most `concurrency`
 * in flight over keep-alive connections; `build(i)` makes request i (called
 * just before it is sent, so signatures are fresh).
 */
export async function runLoad(
  baseUrl: string,
  o: {
    concurrency: number;
    count: number;
    build: (i: number) => LoadRequest;
    timeoutMs?: number;
    /** Reuse connections across calls (e.g. warm-up, then measurement); the caller destroys it. */
    agent?: Agent;
    /** Think time: each worker waits this long after a response before its next request. */
    pauseMs?: number;
  },
): Promise<LoadResult> {
  const url = new URL(baseUrl);
  if (url.hostname !== '127.0.0.1') throw new Error(`benchmarks only send traffic to 127.0.0.1 (${baseUrl})`);
  const agent = o.agent ?? new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let errors = 0;
  let next = 0;
  const one = (req: LoadRequest) =>
    new Promise<void>((resolve) => {
      const headers = { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) };
      let start = 0n;
      const r = request(
        { host: '127.0.0.1', port: url.port, path: req.path, method: 'POST', headers, agent },
        (res) => {
          res.on('data', () => {});
          res.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
            statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
            resolve();
          });
        },
      );
      r.setTimeout(o.timeoutMs ?? 10_000, () => r.destroy(new Error('timeout')));
      r.on('error', () => {
        errors += 1;
        resolve();
      });
      start = process.hrtime.bigint();
      r.end(req.body);
    });
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= o.count) return;
      await one(o.build(i));
      if (o.pauseMs) await sleep(o.pauseMs);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  if (!o.agent) agent.destroy();
  return { latencies, statuses, errors, wallMs: performance.now() - t0 };
}

export function statusSummary(statuses: Map<number, number>, errors = 0): string {
  const parts = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
  if (errors) parts.push(`errors×${errors}`);
  return parts.join(' ') || 'none';
}

// ---------------------------------------------------------------------------
// Processes and ports
// ---------------------------------------------------------------------------

export interface Child {
  proc: ChildProcess;
  /** Captured output (stdout + stderr), last lines only. */
  output: string[];
  /** The first capture group of `ready`, once matched. */
  ready: Promise<string>;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const children = new Set<ChildProcess>();

/** Kills every child this process started (by pid) — for the watchdog and for errors. */
export function killAllChildren(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/**
 * Starts `args` with this Node binary (e.g. `['--import', 'tsx', file]` or
 * `['dist/main.js']`), draining its output so it never blocks on a full pipe.
 */
export function startChild(
  args: string[],
  o: { env: Record<string, string>; cwd?: string; ready: RegExp; timeoutMs?: number; ipc?: boolean },
): Child {
  // BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) go to every child's node, for profiling.
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...extra, ...args], {
    cwd: o.cwd ?? REPO,
    env: { PATH: process.env.PATH ?? '', ...o.env },
    stdio: o.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      children.delete(proc);
      resolve(code);
    }),
  );
  let seen = '';
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child did not become ready:\n${output.join('')}`)),
      o.timeoutMs ?? 20_000,
    );
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      if (output.length > 200) output.splice(0, output.length - 200);
      seen = (seen + text).slice(-4_096);
      const m = o.ready.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] ?? '');
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before it was ready:\n${output.join('')}`));
    });
  });
  ready.catch(() => {});
  return {
    proc,
    output,
    ready,
    exited,
    stop: async (graceMs = 3_000) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Restricts a process (all its threads) to the given CPUs with `taskset`
 * (Linux). Returns false when that is not possible (no taskset, one core).
 */
export function pinToCpus(pid: number, cpuList: string): boolean {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The `--import tsx` arguments to run a TypeScript file of this folder in a child. */
export function tsxArgs(file: string): string[] {
  return ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL(file, import.meta.url))];
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** utime + stime (clock ticks) and parent of every process, from /proc (Linux); empty elsewhere. */
function processTimes(): Map<number, { ppid: number; ticks: number }> {
  const out = new Map<number, { ppid: number; ticks: number }>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces) start at state.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(pid), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * Measures how much CPU *other* processes (not this one or its descendants)
 * used while a benchmark ran, so RESULTS.md can say how quiet the machine was.
 * Returns the average number of cores they kept busy.
 */
export function watchOtherLoad(everyMs = 500): { stop(): number } {
  const TICKS = 100; // USER_HZ on Linux
  let otherTicks = 0;
  let last = processTimes();
  const started = performance.now();
  const timer = setInterval(() => {
    const now = processTimes();
    const ours = new Set<number>([process.pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, p] of now)
        if (!ours.has(pid) && ours.has(p.ppid)) {
          ours.add(pid);
          grew = true;
        }
    }
    for (const [pid, p] of now) {
      if (ours.has(pid)) continue;
      const before = last.get(pid)?.ticks ?? p.ticks;
      otherTicks += Math.max(0, p.ticks - before);
    }
    last = now;
  }, everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      return seconds > 0 ? otherTicks / TICKS / seconds : 0;
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns true or `timeoutMs` passes. */
export async function until(probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 20) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(everyMs);
  }
  return false;
}
