import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type MainProcess, spawnMain } from '../helpers/main-process.js';

const BOT = 'xoxb-5555-6666-startupfailurebot';
const BASE = {
  SLACK_BOT_TOKEN: BOT,
  SLACK_SIGNING_SECRET: 'signing-secret-value-123',
  REVOKE_REQUESTERS: 'U0123ABC',
  SLACK_API_URL: 'http://127.0.0.1:9/api/',
};

/** A port that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function expectCleanFailure(child: MainProcess) {
  const text = child.output();
  expect(text).not.toMatch(/\n\s+at /); // no stack trace
  expect(text).not.toContain(BOT);
}

describe('start-up failures name what to fix', () => {
  let child: MainProcess | undefined;
  let blocker: Server | undefined;
  afterEach(async () => {
    await child?.cleanup();
    await new Promise((r) => (blocker ? blocker.close(r) : r(undefined)));
    child = undefined;
    blocker = undefined;
  });

  it('a busy port names PORT', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker?.listen(0, r));
    const { port } = blocker.address() as { port: number };
    child = spawnMain({ ...BASE, PORT: String(port) });
    expect(await child.exited).toBe(1);
    expect(child.output()).toContain(`revoke-sessions cannot start: PORT ${port} is already in use`);
    expectCleanFailure(child);
  });

  it('an unopenable SQLite file is named by its absolute path', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'revoke-sqlite-'));
    writeFileSync(join(cwd, 'not-a-folder'), 'a file where the folder should be');
    child = spawnMain({ ...BASE, PORT: '0', DATABASE_URL: 'sqlite:not-a-folder/revoke.db' }, cwd);
    expect(await child.exited).toBe(1);
    const text = child.output();
    expect(text).toContain('DATABASE_URL: cannot open the SQLite file');
    expect(text).toMatch(
      new RegExp(`file /\\S*${join('not-a-folder', 'revoke.db').replace('/', '\\/')} \\(`),
    );
    expectCleanFailure(child);
  });

  it('an unreachable PostgreSQL is retried for the bounded time, then named as DATABASE_URL', async () => {
    const port = await closedPort();
    const password = 'pg-password-never-printed';
    child = spawnMain({
      ...BASE,
      PORT: '0',
      DATABASE_URL: `postgres://revoke:${password}@127.0.0.1:${port}/revoke`,
      DATABASE_CONNECT_RETRY_SECONDS: '2',
    });
    const started = Date.now();
    expect(await child.exited).toBe(1);
    const text = child.output();
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(text).toMatch(
      /revoke-sessions cannot start: DATABASE_URL: PostgreSQL did not answer within 2 s \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)/,
    );
    const retries = text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; level: string })
      .filter((r) => r.msg.startsWith('PostgreSQL is not reachable yet'));
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries[0]?.level).toBe('warn');
    expect(text).not.toContain(password);
    expectCleanFailure(child);
  }, 30_000);

  it('SIGTERM while waiting for PostgreSQL stops at once with 0', async () => {
    child = spawnMain({
      ...BASE,
      PORT: '0',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/revoke`,
      DATABASE_CONNECT_RETRY_SECONDS: '60',
    });
    await child.waitFor(/PostgreSQL is not reachable yet/);
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expectCleanFailure(child);
  }, 30_000);
});
