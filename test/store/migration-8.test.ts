import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { auditHash, GENESIS_HASH, verifyChain } from '../../src/engine/audit-chain.js';
import type { AuditRecord, Store } from '../../src/engine/store-port/index.js';
import type { Backend } from '../../src/store/backend.js';
import { applyMigrations, type Migration } from '../../src/store/migrate.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/migrations/postgres.js';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations/sqlite.js';
import { PostgresBackend, PostgresStore } from '../../src/store/postgres.js';
import { requestToRow } from '../../src/store/rows.js';
import { SqliteBackend, SqliteStore } from '../../src/store/sqlite.js';
import { insertAudit, insertRequest } from '../../src/store/statements.js';
import { newRequest } from './contract.js';

const NOW = '2026-11-22T10:00:00.000Z';

/** A store as version 7 left it: two requests (one a bulk) and their audit records, chained. */
async function seedVersion7(backend: Backend, migrations: readonly Migration[]): Promise<void> {
  await applyMigrations(
    backend,
    migrations.filter((m) => m.version <= 7),
  );
  await backend.run(insertRequest(requestToRow('r-1', newRequest(), 'done', NOW)));
  const bulk = newRequest({
    source: 'cli',
    requester: { kind: 'cli', id: 'ops' },
    target: { slackUserId: 'UBOB' },
    additionalTargets: [{ slackUserId: 'UALICE', email: 'Alice@Example.com' }],
  });
  await backend.run(insertRequest(requestToRow('r-2', bulk, 'pending_approval', '2026-11-22T10:00:01.000Z')));
  let prevHash = GENESIS_HASH;
  const records: AuditRecord[] = ['r-1', 'r-2', 'r-1'].map((requestId, i) => {
    const base = { seq: i + 1, at: NOW, requestId, actor: 'engine', action: `a${i}`, data: {}, prevHash };
    prevHash = auditHash(base);
    return { ...base, hash: prevHash };
  });
  await backend.run(insertAudit(records));
}

/** Migration 8 fills the people, the counts and the chain head from what version 7 stored. */
async function checkUpgraded(store: Store): Promise<void> {
  await store.migrate();
  expect((await store.listRequestsForTarget('UALICE', 10)).map((r) => r.id)).toEqual(['r-2', 'r-1']);
  expect((await store.listRequestsForTarget('UBOB', 10)).map((r) => r.id)).toEqual(['r-2']);
  const of = async (person: string) =>
    (await store.readAudit({ limit: 10, people: [person] })).map((r) => r.seq);
  expect(await of('email:alice@example.com')).toEqual([1, 2, 3]); // ASCII-folded, as the app writes keys
  expect(await of('cli:ops')).toEqual([2]);
  expect(await of('slack:UREQ')).toEqual([1, 3]);
  expect(
    (await store.metricsSnapshot(NOW)).requests.map((r) => `${r.source} ${r.status} ${r.count}`).sort(),
  ).toEqual(['cli pending_approval 1', 'slash_command done 1']);
  const next = await store.appendAudit({ actor: 'engine', action: 'after upgrade' }, NOW);
  expect(next.seq).toBe(4);
  expect(verifyChain(await store.listAudit())).toEqual({ ok: true, checked: 4 });
}

describe('migration 8 on a SQLite store written by version 7', () => {
  const dir = mkdtempSync(join(tmpdir(), 'revoke-m8-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('backfills the people of each request, the request counts and the audit chain head', async () => {
    const path = join(dir, 'old.db');
    const old = new SqliteBackend(path);
    await seedVersion7(old, SQLITE_MIGRATIONS);
    await old.close();
    const store = new SqliteStore(path);
    try {
      await checkUpgraded(store);
    } finally {
      await store.close();
    }
  });
});

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('migration 8 on a PostgreSQL store written by version 7', () => {
  const schema = `m8_test_${randomBytes(5).toString('hex')}`;
  afterAll(async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });

  it('backfills the people of each request, the request counts and the audit chain head', async () => {
    const old = new PostgresBackend(url ?? '', { schema });
    await seedVersion7(old, POSTGRES_MIGRATIONS);
    await old.close();
    const store = new PostgresStore(url ?? '', { schema });
    try {
      await checkUpgraded(store);
    } finally {
      await store.close();
    }
  });
});
