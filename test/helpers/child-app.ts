import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RevocationRequest } from '../../src/engine/types.js';
import { captureSqliteAudit, captureStream } from './capture.js';
import { SECRETS } from './harness.js';

const repo = new URL('../../', import.meta.url);

export interface ChildApp {
  proc: ChildProcess;
  url: string;
  output: string[];
  exited: Promise<number | null>;
}

/**
 * Starts the app as a separate process (cwd: an empty temp folder, so no
 * developer .env leaks in) and resolves once it listens.
 */
export async function startChildApp(env: Record<string, string>, timeoutMs = 20_000): Promise<ChildApp> {
  const cwd = mkdtempSync(join(tmpdir(), 'revoke-child-'));
  const tsx = import.meta.resolve('tsx');
  const proc = spawn(
    process.execPath,
    ['--import', tsx, new URL('test/helpers/app-process.ts', repo).pathname],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  // Everything the app process prints, line by line, for the run's secrets scan.
  captureStream('log', proc.stdout);
  captureStream('log', proc.stderr);
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      rmSync(cwd, { recursive: true, force: true });
      captureSqliteAudit(env.DATABASE_URL);
      resolve(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not start:\n${output.join('')}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      const m = /LISTENING (\d+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
    proc.on('exit', (code) =>
      reject(new Error(`child exited (${code}) before listening:\n${output.join('')}`)),
    );
  });
  return { proc, url, output, exited };
}

/** SIGKILL, and wait until the process is gone. */
export async function kill9(child: ChildApp): Promise<void> {
  child.proc.kill('SIGKILL');
  await child.exited;
}

/** The environment of a crash test's app: the fake Slack's URL, a SQLite file, and `extra`. */
export function childEnv(slackUrl: string, databasePath: string, extra: Record<string, string> = {}) {
  return {
    SLACK_BOT_TOKEN: SECRETS.bot,
    SLACK_SIGNING_SECRET: SECRETS.signing,
    SLACK_ADMIN_TOKEN: SECRETS.admin,
    SLACK_API_URL: slackUrl,
    PORT: '0',
    REVOKE_REQUESTERS: 'UREQ',
    DATABASE_URL: `sqlite:${databasePath}`,
    LOG_LEVEL: 'error',
    ...extra,
  };
}

/** Polls until the newest request naming `slackUserId` is `done` (or the time is up); answers it. */
export async function waitForDone(
  store: { listRequestsForTarget(id: string, limit: number): Promise<RevocationRequest[]> },
  slackUserId: string,
  timeoutMs = 45_000,
): Promise<RevocationRequest | undefined> {
  let final: RevocationRequest | undefined;
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    [final] = await store.listRequestsForTarget(slackUserId, 1);
    if (final?.status === 'done') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return final;
}
