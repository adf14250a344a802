/**
 * Benchmark 8 — PostgreSQL at replica scale, against SQLite in the same run:
 *
 * 1. Audit records a second: two stores on one database (two replicas' pools), 8 appenders each,
 *    appending for a few seconds — the chain head locked as a row (the store now) and, for
 *    comparison, the whole `audit_log` table locked in EXCLUSIVE mode first (the store before);
 *    and one SQLite store (writer thread) with the same 16 appenders.
 * 2. The store writes of a 1,000-person bulk on seven systems: the request (7,000 steps and its
 *    people), its claim, then every step started and finished with its audit record, seven at a
 *    time (one per system) — on PostgreSQL and on SQLite.
 *
 * Needs a PostgreSQL server: BENCH_DATABASE_URL (or TEST_DATABASE_URL); each run works in a
 * schema of its own and drops it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import sql, { type Sql } from 'sql-template-tag';
import type { Store } from '../src/engine/store-port/index.js';
import { stepKeys } from '../src/engine/types.js';
import type { Backend, Executor } from '../src/store/backend.js';
import { POSTGRES_MIGRATIONS } from '../src/store/migrations/postgres.js';
import { PostgresBackend } from '../src/store/postgres.js';
import { SqlStore } from '../src/store/sql-store.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { newRequest } from '../test/store/contract.js';
import type { Benchmark, Row, Section } from './lib/section.js';

const APPEND_MS = 4_000;
const APPENDERS = 8;
const PEOPLE = 1_000;
const SYSTEMS = ['okta', 'entra', 'google', 'slack', 'box', 'mattermost', 'huawei'] as const;

/** The store before: every transaction that reads the audit chain's head first locks the whole table. */
class TableLockBackend implements Backend {
  constructor(private readonly inner: Backend) {}
  get dialect() {
    return this.inner.dialect;
  }
  all<T>(s: Sql): Promise<T[]> {
    return this.inner.all<T>(s);
  }
  run(s: Sql): Promise<number> {
    return this.inner.run(s);
  }
  script(text: string): Promise<void> {
    return this.inner.script(text);
  }
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    return this.inner.transaction((tx) =>
      fn({
        ...tx,
        all: async <R>(s: Sql) => {
          if (s.sql.startsWith('SELECT seq, hash FROM audit_head'))
            await tx.run(sql`LOCK TABLE audit_log IN EXCLUSIVE MODE`);
          return tx.all<R>(s);
        },
      }),
    );
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Records appended a second by `APPENDERS` loops on each store, for APPEND_MS. */
async function appendRate(stores: Store[]): Promise<number> {
  const until = performance.now() + APPEND_MS;
  let n = 0;
  const started = performance.now();
  await Promise.all(
    stores.flatMap((s, i) =>
      Array.from({ length: APPENDERS }, async (_, j) => {
        while (performance.now() < until) {
          await s.appendAudit(
            { actor: `replica-${i}`, action: 'bench_append', data: { j } },
            new Date().toISOString(),
          );
          n++;
        }
      }),
    ),
  );
  return n / ((performance.now() - started) / 1000);
}

/** The store writes of a 1,000-person bulk on seven systems; its wall time in ms. */
async function bulkWrites(store: Store, id: string): Promise<number> {
  const people = Array.from({ length: PEOPLE }, (_, i) => ({
    slackUserId: `UB${String(i).padStart(6, '0')}`,
  }));
  const [first, ...rest] = people;
  const request = newRequest({ target: first ?? {}, additionalTargets: rest, systems: [...SYSTEMS] });
  const now = () => new Date().toISOString();
  const started = performance.now();
  await store.createRequest(id, request, 'approved', now(), {
    audit: { actor: 'slack:UREQ', action: 'request_created' },
  });
  const fence = await store.claim(id, 'runner', new Date(Date.now() + 600_000).toISOString(), now(), () => ({
    requestId: id,
    actor: 'system',
    action: 'run_started',
  }));
  const keys = stepKeys(request);
  await Promise.all(
    SYSTEMS.map(async (system) => {
      for (const key of keys.filter((k) => k.split('#')[0] === system)) {
        const record = { requestId: id, actor: 'system', action: 'step', data: { key } };
        await store.updateSteps(
          id,
          [{ key, patch: { state: 'running', startedAt: now() } }],
          record,
          now(),
          fence,
        );
        await store.finishStep(id, key, { state: 'revoked', finishedAt: now() }, record, now(), fence);
      }
    }),
  );
  return performance.now() - started;
}

async function run(): Promise<Section> {
  const started = performance.now();
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const title = '8. PostgreSQL at replica scale';
  if (!url)
    return {
      id: 'postgres',
      title,
      method: 'Not run: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server.',
      rows: [{ metric: 'run', measured: 'skipped (no PostgreSQL server named)' }],
    };
  const dir = mkdtempSync(join(tmpdir(), 'revoke-bench-pg-'));
  const schemas: string[] = [];
  /** A store on a new schema (or on `schema`, as a second replica), locking as `lockTable` says. */
  const pgStore = async (lockTable: boolean, schema = `bench_${randomBytes(5).toString('hex')}`) => {
    if (!schemas.includes(schema)) schemas.push(schema);
    const backend = new PostgresBackend(url, { schema });
    const store = new SqlStore(lockTable ? new TableLockBackend(backend) : backend, POSTGRES_MIGRATIONS);
    await store.migrate();
    return { store, schema };
  };
  try {
    const rows: Row[] = [];
    const rates: Record<string, number> = {};
    for (const mode of ['row', 'table'] as const) {
      const a = await pgStore(mode === 'table');
      const b = await pgStore(mode === 'table', a.schema);
      rates[mode] = await appendRate([a.store, b.store]);
      await Promise.all([a.store.close(), b.store.close()]);
    }
    const lite = new SqliteStore(join(dir, 'append.db'));
    await lite.migrate();
    rates.sqlite = await appendRate([lite]);
    await lite.close();
    const per = (x: number | undefined) => `${Math.round(x ?? 0).toLocaleString('en')}/s`;
    rows.push(
      {
        metric: `audit records a second, PostgreSQL, 2 replicas × ${APPENDERS} appenders: chain head row lock (now) / table lock (before)`,
        measured: `${per(rates.row)} / ${per(rates.table)} (×${((rates.row ?? 0) / (rates.table ?? 1)).toFixed(2)})`,
      },
      {
        metric: `audit records a second, SQLite (writer thread, group commit), ${APPENDERS * 2} appenders in one process`,
        measured: per(rates.sqlite),
      },
    );
    const pgBulk = (await pgStore(false)).store;
    const pgMs = await bulkWrites(pgBulk, 'r-bulk-pg');
    await pgBulk.close();
    const liteBulk = new SqliteStore(join(dir, 'bulk.db'));
    await liteBulk.migrate();
    const liteMs = await bulkWrites(liteBulk, 'r-bulk-lite');
    await liteBulk.close();
    const steps = PEOPLE * SYSTEMS.length;
    rows.push({
      metric: `store writes of a 1,000-person bulk on seven systems (${(steps * 2).toLocaleString('en')} step transactions, 7 at a time): PostgreSQL / SQLite`,
      measured: `${(pgMs / 1000).toFixed(1)} s / ${(liteMs / 1000).toFixed(1)} s (${((pgMs * 1000) / (steps * 2)).toFixed(0)} µs / ${((liteMs * 1000) / (steps * 2)).toFixed(0)} µs a step write)`,
    });
    return {
      id: 'postgres',
      title,
      method: `PostgreSQL (${(await serverVersion(url)) ?? 'version unknown'}) on this machine, every store in a schema of its own; SQLite on the same disk. Appends for ${APPEND_MS / 1000} s per mode; the bulk's writes as a run makes them (start with its record, finish with its record, fenced), without the vendor calls. The machine is a shared 2-core box: compare within this run.`,
      rows,
      durationMs: performance.now() - started,
    };
  } finally {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await c.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function serverVersion(url: string): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version;
  } finally {
    await c.end();
  }
}

export const postgresBenchmark: Benchmark = { id: 'postgres', title: '8. PostgreSQL at replica scale', run };
