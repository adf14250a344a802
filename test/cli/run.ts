import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureStream } from '../helpers/capture.js';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/** What one CLI run printed and how it ended. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A CLI run in progress: its process, what it printed so far, and how it ends. */
export interface CliProcess {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  done: Promise<Run>;
}

/**
 * Starts the CLI as a child process, like an operator would: in `cwd` when given, else in a
 * fresh empty folder (no developer .env), with only PATH and `env`. `command` runs it through
 * another program instead (e.g. `script`, for a terminal).
 */
export function spawnCli(
  args: string[],
  env: Record<string, string>,
  input?: string,
  cwd?: string,
  command?: (argv: string[]) => string[],
): CliProcess {
  const dir = cwd ?? mkdtempSync(join(tmpdir(), 'revoke-cli-'));
  const argv = [process.execPath, '--import', import.meta.resolve('tsx'), main, ...args];
  const [file, ...rest] = command ? command(argv) : argv;
  const proc = spawn(file ?? process.execPath, rest, {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // All it prints, line by line, for the run's secrets scan.
  captureStream('cli', proc.stdout);
  captureStream('cli', proc.stderr);
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  proc.stdin.end(input ?? '');
  const done = new Promise<Run>((resolve) =>
    proc.on('close', (code) => {
      if (!cwd) rmSync(dir, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    }),
  );
  return { proc, stdout: () => stdout, stderr: () => stderr, done };
}

/** Runs the CLI as a child process (see {@link spawnCli}) to its end. */
export function cli(args: string[], env: Record<string, string>, input?: string, cwd?: string): Promise<Run> {
  return spawnCli(args, env, input, cwd).done;
}

/** The doctor's human output: every non-empty line, which must each be a PASS or FAIL line. */
export function doctorLines(stdout: string): { verdict: string; name: string; detail: string }[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const m = /^(PASS|FAIL) {2}(.{38}) (.*)$/.exec(l);
      return m
        ? { verdict: m[1] ?? '', name: (m[2] ?? '').trim(), detail: m[3] ?? '' }
        : { verdict: 'NOT A CHECK LINE', name: '', detail: l };
    });
}

/** The doctor's --json output, parsed (throws when it is not one JSON document). */
export interface DoctorReport {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

/** One progress event of `--json` on stderr. */
export interface CliEvent {
  event: string;
  request?: string;
  system?: string;
  person?: string;
  state?: string;
  sentence?: string;
  done?: number;
  total?: number;
  [key: string]: unknown;
}

/** The `--json` progress stream on stderr: every line one JSON event (throws on a line that is not). */
export function events(stderr: string): CliEvent[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CliEvent);
}

/** A TCP port nothing listens on (bound once, then released): a server that is down. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 1;
}
