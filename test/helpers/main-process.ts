import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from './capture.js';

const main = new URL('../../src/main.ts', import.meta.url).pathname;

export interface MainProcess {
  proc: ChildProcess;
  /** The working folder (empty: no developer .env is read). */
  cwd: string;
  /** stdout and stderr so far, as one text. */
  output(): string;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves with the first match of `re` in the output (rejects after `timeoutMs` or on exit). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Kills it if still running and removes its folder. */
  cleanup(): Promise<void>;
}

/** The JSON log records (LOG_FORMAT=json) the child wrote so far. */
export function logRecords(child: MainProcess): { level: string; msg: string }[] {
  return child
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; msg: string });
}

/** Runs `src/main.ts` (the `npm start` path) as a child process with exactly `env` (plus PATH). */
export function spawnMain(
  env: Record<string, string>,
  cwd = mkdtempSync(join(tmpdir(), 'revoke-main-')),
): MainProcess {
  const proc = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), main], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    capture('log', chunk.toString());
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    cwd,
    output: () => text,
    exited,
    waitFor: (re, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const timer = setInterval(() => {
          const m = re.exec(text);
          if (m) {
            clearInterval(timer);
            resolve(m);
          } else if (proc.exitCode !== null || Date.now() - started > timeoutMs) {
            clearInterval(timer);
            reject(new Error(`no ${re} in the output (exit ${proc.exitCode}):\n${text}`));
          }
        }, 20);
      }),
    cleanup: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await exited;
      }
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
