/** Child processes the benchmarks start (the app, fakes), their CPUs, and free ports. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BENCH_URL, REPO } from './paths.js';

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

/** The `--import tsx` arguments to run a TypeScript file of the bench folder in a child. */
export function tsxArgs(file: string): string[] {
  return ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL(file, BENCH_URL))];
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
