import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import type { Store } from '../../src/engine/store-port/index.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/migrations/postgres.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { atScaleContract } from './at-scale-contract.js';
import { auditStreamContract } from './audit-stream-contract.js';
import { newRequest, type RawAccess, storeContract } from './contract.js';
import { outboxContract } from './outbox-contract.js';
import { proofContract } from './proof-contract.js';
import { signalStoreContract } from './ssf-contract.js';

const url = process.env.TEST_DATABASE_URL;
if (!url && process.env.CI === 'true') {
  throw new Error(
    'TEST_DATABASE_URL must be set in CI (postgres://postgres@127.0.0.1:5432/test): the PostgreSQL store suite cannot be skipped there',
  );
}
if (!url) {
  console.warn(
    'PostgreSQL store tests SKIPPED: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them against a real server.',
  );
}

const schemas: string[] = [];
const schemaOf = new WeakMap<Store, string>();

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function open(): Promise<PostgresStore> {
  const schema = `store_test_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  const store = new PostgresStore(url ?? '', { schema });
  await store.migrate();
  schemaOf.set(store, schema);
  return store;
}

describe.skipIf(!url)('PostgreSQL store', () => {
  afterAll(async () => {
    await admin(async (c) => {
      for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    });
  });

  outboxContract(open);

  proofContract(open);

  auditStreamContract(open);

  signalStoreContract(open, async (store) => {
    const schema = schemaOf.get(store) ?? '';
    await store.close();
    const again = new PostgresStore(url ?? '', { schema });
    await again.migrate();
    return again;
  });

  const rawAccess = (store: Store): RawAccess => {
    const schema = schemaOf.get(store) ?? '';
    const inSchema = (fn: (c: pg.Client) => Promise<unknown>) =>
      admin(async (c) => {
        await c.query(`SET search_path TO ${schema}`);
        await fn(c);
      });
    return {
      exec: (sql) => inSchema((c) => c.query(sql)),
      editAudit: (seq, data) =>
        inSchema(async (c) => {
          await c.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
          await c.query('UPDATE audit_log SET data = $1 WHERE seq = $2', [data, seq]);
          await c.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
        }),
      deleteAudit: (seq) =>
        inSchema(async (c) => {
          await c.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
          await c.query('DELETE FROM audit_log WHERE seq = $1', [seq]);
          await c.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
        }),
    };
  };
  storeContract(open, rawAccess);
  atScaleContract(open, rawAccess);

  it('replicas migrating a fresh schema at once all succeed, and each migration is recorded once', async () => {
    const schema = `store_test_${randomBytes(5).toString('hex')}`;
    schemas.push(schema);
    const replicas = [0, 1, 2, 3].map(() => new PostgresStore(url ?? '', { schema }));
    try {
      await Promise.all(replicas.map((r) => r.migrate()));
      await replicas[0]?.migrate();
      const versions = await admin(async (c) => {
        const { rows } = await c.query<{ version: number; name: string }>(
          `SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`,
        );
        return rows;
      });
      expect(versions.map((v) => v.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
      expect(versions.every((v) => v.name.length > 0)).toBe(true);
    } finally {
      for (const r of replicas) await r.close();
    }
  });

  it('refuses TRUNCATE of the audit log', async () => {
    const store = await open();
    try {
      await store.appendAudit({ actor: 'a', action: 'x' }, '2026-11-22T10:00:00.000Z');
      await expect(admin((c) => c.query(`TRUNCATE ${schemaOf.get(store)}.audit_log`))).rejects.toThrow(
        /append-only/,
      );
      expect(await store.listAudit()).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('two stores (two replicas’ pools) racing: one compare-and-set wins, one claim wins, the chain stays intact', async () => {
    const a = await open();
    const b = new PostgresStore(url ?? '', { schema: schemaOf.get(a) });
    try {
      await a.createRequest('r-1', newRequest(), 'pending_approval', '2026-11-22T10:00:00.000Z');
      const decided = await Promise.all(
        [a, b, a, b].map((s, i) =>
          s.updateRequest(
            'r-1',
            { status: 'approved', decidedBy: `slack:U${i}` },
            '2026-11-22T10:00:01.000Z',
            ['pending_approval'],
          ),
        ),
      );
      expect(decided.filter(Boolean)).toHaveLength(1);
      const claims = await Promise.all(
        [a, b, a, b].map((s, i) =>
          s.claim('r-1', `runner-${i}`, '2026-11-22T10:01:00.000Z', '2026-11-22T10:00:02.000Z'),
        ),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? a : b).appendAudit({ actor: `r${i}`, action: 'x' }, '2026-11-22T10:00:03.000Z'),
        ),
      );
      expect(verifyChain(await a.listAudit())).toEqual({ ok: true, checked: 40 });
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('starts on an up-to-date schema while another replica holds the migration lock (migrate only reads)', async () => {
    const first = await open();
    const schema = schemaOf.get(first) ?? '';
    await first.close();
    const lock = new pg.Client({ connectionString: url });
    await lock.connect();
    const key = `revoke-sessions:migrate:${schema}`;
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    const again = new PostgresStore(url ?? '', { schema });
    try {
      const timedOut = new Promise<string>((resolve) =>
        setTimeout(() => resolve('waited for the lock'), 2_000),
      );
      expect(await Promise.race([again.migrate().then(() => 'migrated'), timedOut])).toBe('migrated');
    } finally {
      await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
      await lock.end();
      await again.close();
    }
  });
});
