import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

/**
 * Runs the CLI as a child process, like an operator would: in `cwd` when given,
 * else in a fresh empty folder (no developer .env), with only PATH and `env`.
 */
export function cli(args: string[], env: Record<string, string>, input?: string, cwd?: string): Promise<Run> {
  return new Promise((resolve) => {
    const dir = cwd ?? mkdtempSync(join(tmpdir(), 'revoke-cli-'));
    const proc = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), main, ...args], {
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
    proc.on('exit', (code) => {
      if (!cwd) rmSync(dir, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
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
