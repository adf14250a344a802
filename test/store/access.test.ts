import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/engine/store-port/index.js';
import { StoreAccessError } from '../../src/store/access/errors.js';
import { inspectStore, requireExistingStore, sqliteCreatable } from '../../src/store/access/inspect.js';
import { openStore } from '../../src/store/access/open.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/migrations/postgres.js';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations/sqlite.js';
import { deadPort } from '../cli/run.js';
import { emptySchema } from '../helpers/pg-schema.js';

/** One effect waiting for delivery and one failed for good. */
async function waitingAndFailed(store: Store): Promise<void> {
  const at = new Date().toISOString();
  await store.addEffects([{ kind: 'requester_note', key: 'failing' }], at);
  const [claimed] = await store.claimEffects('t', at, new Date(Date.now() + 60_000).toISOString(), 1);
  await store.settleEffect(claimed?.id ?? 0, 't', { failed: 'channel_not_found' }, at);
  await store.addEffects([{ kind: 'requester_note', key: 'waiting' }], at);
}

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<StoreAccessError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreAccessError);
  return error as StoreAccessError;
}

describe('opening and inspecting a SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'revoke-access-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('inspecting a missing file creates neither the file nor its folder', async () => {
    const path = join(dir, 'no-such-folder', 'revoke.db');
    const found = await inspectStore(`sqlite:${path}`);
    expect(found).toEqual({
      exists: false,
      applied: 0,
      known: SQLITE_MIGRATIONS.length,
      where: `SQLite file ${path}`,
    });
    await expect(requireExistingStore(`sqlite:${path}`)).rejects.toMatchObject({
      kind: 'configuration',
      message: `No database at ${path} (DATABASE_URL): point DATABASE_URL at the file the app uses. Nothing was created.`,
    });
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
    expect(sqliteCreatable(`sqlite:${path}`)).toEqual({ ok: true, folder: dir });
  });

  it('an opened store is inspected by its migrations and outbox, and inspecting changes no byte of it', async () => {
    const path = join(dir, 'data', 'revoke.db');
    const store = await openStore(`sqlite:${path}`);
    await waitingAndFailed(store);
    await store.close();
    const before = readFileSync(path);
    const found = await inspectStore(`sqlite:${path}`);
    expect(found.exists).toBe(true);
    expect(found.applied).toBe(SQLITE_MIGRATIONS.length);
    expect(found.known).toBe(SQLITE_MIGRATIONS.length);
    expect(found.outbox).toEqual({ pending: 1, failed: 1 });
    await requireExistingStore(`sqlite:${path}`);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('an empty file, a folder and an unopenable path are configuration errors naming the absolute path', async () => {
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    const foreign = await rejection(inspectStore(`sqlite:${empty}`));
    expect(foreign.kind).toBe('configuration');
    expect(foreign.message).toContain(`${empty}, which is not a revoke-sessions database`);
    expect(readFileSync(empty).length).toBe(0);
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    expect((await rejection(inspectStore(`sqlite:${folder}`))).message).toBe(
      `DATABASE_URL names ${folder}, which is not a file.`,
    );
    writeFileSync(join(dir, 'not-a-folder'), 'a file where the folder should be');
    const unopenable = await rejection(openStore(`sqlite:${join(dir, 'not-a-folder', 'revoke.db')}`));
    expect(unopenable).toBeInstanceOf(StoreAccessError);
    expect(unopenable.kind).toBe('configuration');
    expect(unopenable.message).toMatch(
      new RegExp(`^DATABASE_URL: cannot open the SQLite file ${join(dir, 'not-a-folder', 'revoke.db')} \\(`),
    );
  });
});

describe('an unreachable PostgreSQL: unreachable, named without its password', () => {
  const password = 'pg-password-never-said';
  let url: string;
  beforeAll(async () => {
    url = `postgres://revoke:${password}@127.0.0.1:${await deadPort()}/revoke`;
  });

  it('inspecting says it cannot be reached; opening tries once unless asked to retry', async () => {
    const inspected = await rejection(inspectStore(url));
    expect(inspected.kind).toBe('unreachable');
    expect(inspected.message).toMatch(
      /^Cannot reach the PostgreSQL database named by DATABASE_URL \(postgres:\/\/127\.0\.0\.1:\d+\/revoke\): connection refused/,
    );
    const opened = await rejection(openStore(url));
    expect(opened).toBeInstanceOf(StoreAccessError);
    expect(opened.kind).toBe('unreachable');
    // One attempt (the CLI's): no "within 0 s"; with a retry window, it is named.
    expect(opened.message).toMatch(/^DATABASE_URL: PostgreSQL did not answer \(.*ECONNREFUSED/);
    const waited = await rejection(openStore(url, { retryForMs: 50, retryBaseMs: 10 }));
    expect(waited.message).toMatch(/^DATABASE_URL: PostgreSQL did not answer within 0 s \(/);
    for (const e of [inspected, opened, waited]) expect(e.message).not.toContain(password);
  });
});

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

describe.skipIf(!TEST_DATABASE_URL)('opening and inspecting a PostgreSQL store', () => {
  const db = emptySchema('access');

  it('a database without revoke-sessions tables is found empty, and inspecting creates no table', async () => {
    const found = await inspectStore(db.url());
    expect(found).toMatchObject({ exists: false, applied: 0, known: POSTGRES_MIGRATIONS.length });
    expect(found.where).toMatch(/^PostgreSQL postgres:\/\/[^@]+\/test$/);
    await expect(requireExistingStore(db.url())).rejects.toMatchObject({ kind: 'configuration' });
    expect(await db.tables()).toEqual([]);
  });

  it('an opened store is inspected by its migrations and outbox', async () => {
    const store = await openStore(db.url());
    try {
      await waitingAndFailed(store);
    } finally {
      await store.close();
    }
    const found = await inspectStore(db.url());
    expect(found).toMatchObject({
      exists: true,
      applied: POSTGRES_MIGRATIONS.length,
      known: POSTGRES_MIGRATIONS.length,
    });
    expect(found.outbox).toEqual({ pending: 1, failed: 1 });
    await requireExistingStore(db.url());
  });
});
