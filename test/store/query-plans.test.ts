import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Sql } from 'sql-template-tag';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/engine/store-port/index.js';
import { SqlAuditStream } from '../../src/store/audit-stream.js';
import type { Backend, Executor } from '../../src/store/backend.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/migrations/postgres.js';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations/sqlite.js';
import { PostgresBackend } from '../../src/store/postgres.js';
import { SqlQueues } from '../../src/store/sql-queues.js';
import { SqlStore } from '../../src/store/sql-store.js';
import { SqliteBackend } from '../../src/store/sqlite.js';
import { SqlSignalStore } from '../../src/store/ssf.js';
import { newRequest } from './contract.js';

/*
 * Every statement the store runs is planned by the real database, and none may read a whole
 * table that grows with use: the app runs these before acks and on timers, so a full scan is a
 * latency that grows with the history. Statements are collected by running every Store method
 * through a recording backend, so a new method or statement is covered without a list to keep.
 */

/**
 * Tables that grow with use. The others (replicas, request_counts, audit_head, schema_migrations,
 * signing_keys, ssf_streams, audit_stream) stay a few rows.
 */
const GROWING = [
  'requests',
  'steps',
  'audit_log',
  'outbox',
  'intake',
  'request_people',
  'ssf_queue',
  'ssf_inbound',
];

/** Whole-table reads no app path runs (each with why), allowed to scan. */
const ALLOWED_SCANS: Record<string, string> = {
  'SELECT * FROM outbox ORDER BY id':
    'listEffects() without a request: tests only; the app lists one request’s effects',
};

/** Records every statement (by its text) that runs through it, transactions included. */
class RecordingBackend implements Backend {
  readonly statements = new Map<string, Sql>();
  constructor(private readonly inner: Backend) {}
  get dialect() {
    return this.inner.dialect;
  }
  private wrap(on: Executor): Executor {
    return {
      all: (s) => {
        this.statements.set(s.sql, s);
        return on.all(s);
      },
      run: (s) => {
        this.statements.set(s.sql, s);
        return on.run(s);
      },
      script: (text) => on.script(text),
    };
  }
  all<T>(s: Sql): Promise<T[]> {
    return this.wrap(this.inner).all<T>(s);
  }
  run(s: Sql): Promise<number> {
    return this.wrap(this.inner).run(s);
  }
  script(text: string): Promise<void> {
    return this.inner.script(text);
  }
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    return this.inner.transaction((tx) => fn(this.wrap(tx)));
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const methodsOf = (prefix: string, ...prototypes: object[]) =>
  prototypes.flatMap((p) =>
    Object.getOwnPropertyNames(p)
      .filter((n) => n !== 'constructor')
      .map((n) => `${prefix}${n}`),
  );

/** Every method of the SQL store (its queues, its Shared Signals tables and its audit stream included), by name. */
function storeMethods(): string[] {
  const names = [
    ...methodsOf('', SqlStore.prototype, SqlQueues.prototype),
    ...methodsOf('signals.', SqlSignalStore.prototype),
    ...methodsOf('auditStream.', SqlAuditStream.prototype),
  ];
  return [...new Set(names)].sort();
}

/** `target` on a proxy that adds the name of every method called to `called` (parts of the store too). */
function noting<T extends object>(target: T, called: Set<string>, prefix = ''): T {
  return new Proxy(target, {
    get(on, name, receiver) {
      const value = Reflect.get(on, name, receiver);
      if (typeof name !== 'string') return value;
      if (name === 'signals' || name === 'auditStream') return noting(value as object, called, `${name}.`);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        called.add(`${prefix}${name}`);
        return value.apply(on, args);
      };
    },
  });
}

const T = (s: number) => new Date(Date.parse('2026-11-22T10:00:00.000Z') + s * 1000).toISOString();

/** Calls every Store method with realistic arguments (the store on a proxy that notes which ran). */
async function exercise(s: Store): Promise<void> {
  await s.migrate();
  const audit = { actor: 'slack:UREQ', action: 'request_created' };
  await s.createRequest('r-1', newRequest(), 'pending_approval', T(0), {
    idempotencyKey: 'k-1',
    expiresAt: T(60),
    audit,
    effects: [{ kind: 'approval_card', key: 'card:r-1' }],
  });
  await s.createRequest('r-1b', newRequest(), 'pending_approval', T(0), { idempotencyKey: 'k-1' });
  await s.journalIntake({ key: 'view:V1', actor: 'slack:UREQ', form: {} }, 'a', T(30), T(0));
  await s.createRequest(
    'r-2',
    newRequest({ additionalTargets: [{ slackUserId: 'UBOB' }] }),
    'approved',
    T(1),
    { intake: { key: 'view:V1', owner: 'a' }, audit },
  );
  await s.getRequest('r-1');
  await s.updateRequest('r-1', { status: 'approved', decidedBy: 'slack:UAPP' }, T(2), ['pending_approval'], {
    requestId: 'r-1',
    actor: 'slack:UAPP',
    action: 'request_approved',
  });
  await s.updateRequest('r-1', { summary: 'x' }, T(2));
  await s.listRunnable(T(3), 10);
  await s.listExpiredApprovals(T(3), 10);
  const fence = await s.claim('r-1', 'runner', T(33), T(3), (previous) => ({
    requestId: 'r-1',
    actor: 'system',
    action: 'run_started',
    data: { previous },
  }));
  await s.claim('r-2', 'runner', T(33), T(3));
  await s.holdsFence('r-1', fence ?? 0);
  await s.renewLease('r-1', 'runner', T(43), T(4), fence);
  await s.listSteps('r-1');
  await s.updateStep('r-1', 'slack', { state: 'running', startedAt: T(4) });
  await s.updateStep('r-1', 'slack', { attempts: 1 }, fence);
  await s.updateSteps('r-1', [{ key: 'box', patch: { state: 'running' } }], audit, T(5), fence);
  await s.finishStep('r-1', 'slack', { state: 'revoked', finishedAt: T(6) }, [audit, audit], T(6), fence);
  await s.updateRequest('r-1', { status: 'done' }, T(7), ['running'], audit, [], fence);
  await s.releaseLease('r-1', 'runner', fence);
  await s.listRequestsForTarget('UALICE', 10);
  await s.listRequestsByRequester('slack:UREQ', 10);
  await s.listRequestsInStatus(['pending_approval', 'failed'], 10);
  await s.appendAudit({ actor: 'slack:UVIEW', action: 'sessions_previewed' }, T(8));
  await s.readAudit({ afterSeq: 1, limit: 2 });
  await s.readAudit({
    limit: 10,
    requestId: 'r-1',
    since: T(0),
    until: T(9),
    actions: ['request_created'],
    people: ['slack:UALICE', 'email:alice@example.com', 'cli:ops'],
  });
  await s.listAudit({ requestId: 'r-1', limit: 5 });
  await s.heartbeat('replica-a', T(9), T(-36));
  await s.leave('replica-a');
  await s.ping();
  await s.metricsSnapshot(T(9));
  await s.addEffects([{ kind: 'requester_note', key: 'note:r-2', requestId: 'r-2' }], T(9));
  const [effect] = await s.claimEffects('worker', T(10), T(40), 5);
  await s.renewEffectLease(effect?.id ?? 0, 'worker', T(50));
  await s.saveEffectProgress(effect?.id ?? 0, 'worker', { ts: '1.2' });
  await s.settleEffect(effect?.id ?? 0, 'worker', { done: true }, T(11));
  await s.settleEffect(effect?.id ?? 0, 'worker', { failed: 'x' }, T(11));
  await s.settleEffect(effect?.id ?? 0, 'worker', { retryAt: T(20), error: 'x' }, T(11));
  await s.listEffects('r-1');
  await s.listEffects();
  await s.outboxHealth();
  await s.pruneEffects(T(100), 500);
  await s.journalIntake({ key: 'view:V2', actor: 'slack:UREQ', form: {} }, 'a', T(12), T(11));
  await s.listDueIntake(T(13), 10);
  await s.claimIntake('view:V2', 'b', T(43), T(13));
  await s.renewIntake('view:V2', 'b', T(53), T(14));
  await s.refuseIntake('view:V2', 'b', 'no', T(15), { actor: 'slack:UREQ', action: 'request_refused' });
  await s.getIntake('view:V2');
  await s.pruneIntake(T(100));
  await s.auditHead();
  await s.keepSigningKey({ kid: 'k1', alg: 'RS256', privateJwk: { kty: 'RSA' }, createdAt: T(16) });
  await s.signingKey();
  // The Shared Signals tables: streams, the SETs waiting in them, inbound jtis.
  const stream = {
    id: 'st-1',
    audience: 'rx',
    config: {},
    status: 'enabled' as const,
    statusReason: undefined,
  };
  await s.signals.createStream({ ...stream, createdAt: T(17), updatedAt: T(17) });
  await s.signals.getStream('st-1');
  await s.signals.listStreams();
  await s.signals.listStreams('rx');
  await s.signals.updateStream('st-1', { status: 'paused', statusReason: 'maintenance' }, T(18));
  await s.signals.queueSet('st-1', 'jti-1', 'a.b.c', T(19));
  await s.signals.waitingSets('st-1', 10);
  await s.signals.countWaiting('st-1');
  await s.signals.removeSets('st-1', ['jti-1']);
  await s.signals.rememberInbound('iss', 'jti-in', 'accepted', T(20));
  await s.signals.inboundSeen('iss', 'jti-in');
  await s.signals.pruneInbound(T(21));
  await s.signals.deleteStream('st-1');
  // Where each SIEM sink is in the audit log.
  await s.auditStream.claim('webhook', 'a', T(22), T(52));
  await s.auditStream.advance('webhook', 'a', 0, 3, T(23));
  await s.auditStream.failed('webhook', 'a', 'HTTP 503', T(24));
  await s.auditStream.positions();
  await s.auditStream.release('webhook', 'a');
  await s.close();
}

/** Runs {@link exercise} on a store over `backend`; returns the statements it ran, and checks every method ran. */
async function statementsOf(backend: Backend, migrations: typeof SQLITE_MIGRATIONS): Promise<Sql[]> {
  const recording = new RecordingBackend(backend);
  const store = new SqlStore(recording, migrations);
  const called = new Set<string>();
  await exercise(noting(store, called));
  expect(storeMethods().filter((m) => !called.has(m))).toEqual([]);
  return [...recording.statements.values()];
}

/** The names a statement gives the growing tables it reads (aliases included). */
function growingNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/\b(?:FROM|JOIN|UPDATE|INTO)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/gi)) {
    const [, table = '', alias] = m;
    if (!GROWING.includes(table)) continue;
    names.add(table);
    if (alias && !/^(WHERE|ON|SET|JOIN|ORDER|GROUP|LIMIT|VALUES|LEFT|INNER)$/i.test(alias)) names.add(alias);
  }
  return names;
}

/** A node of PostgreSQL's JSON plan, as far as this test reads it. */
interface PgPlan {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  Plans?: PgPlan[];
}

/** Tables a plan reads whole: a sequential scan, or an index scan with no condition on the index. */
function fullScans(plan: PgPlan): string[] {
  const type = plan['Node Type'];
  const whole =
    type === 'Seq Scan' || ((type === 'Index Scan' || type === 'Index Only Scan') && !plan['Index Cond']);
  return [
    ...(whole && plan['Relation Name'] ? [plan['Relation Name']] : []),
    ...(plan.Plans ?? []).flatMap(fullScans),
  ];
}

const isQuery = (text: string) => /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(text);
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('every statement of the store uses an index on a table that grows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'revoke-plans-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite: EXPLAIN QUERY PLAN of each shows no SCAN of a growing table', async () => {
    const path = join(dir, 'plans.db');
    const statements = await statementsOf(new SqliteBackend(path), SQLITE_MIGRATIONS);
    expect(statements.length).toBeGreaterThan(40);
    const db = new Database(path, { readonly: true });
    const scans: string[] = [];
    try {
      for (const s of statements.filter((x) => isQuery(x.sql))) {
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...s.values) as { detail: string }[];
        const names = growingNames(s.sql);
        const bad = plan.filter((row) => {
          const scanned = /^SCAN (\w+)/.exec(row.detail)?.[1];
          return scanned !== undefined && names.has(scanned);
        });
        if (bad.length > 0 && !ALLOWED_SCANS[oneLine(s.sql)])
          scans.push(`${oneLine(s.sql)}\n    ${plan.map((r) => r.detail).join('\n    ')}`);
      }
    } finally {
      db.close();
    }
    expect(scans).toEqual([]);
  });

  const url = process.env.TEST_DATABASE_URL;
  it.skipIf(!url)(
    'PostgreSQL: EXPLAIN of each (sequential scans off) reads no growing table whole',
    async () => {
      const schema = `plans_test_${randomBytes(5).toString('hex')}`;
      const statements = await statementsOf(new PostgresBackend(url ?? '', { schema }), POSTGRES_MIGRATIONS);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const scans: string[] = [];
      try {
        await client.query(`SET search_path TO ${schema}`);
        // A sequential scan is then chosen only where no index can answer the statement.
        await client.query('SET enable_seqscan = off');
        for (const s of statements.filter((x) => isQuery(x.text))) {
          const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PgPlan }] }>(
            `EXPLAIN (FORMAT JSON) ${s.text}`,
            s.values,
          );
          const plan = rows[0]?.['QUERY PLAN'][0].Plan;
          const bad = plan ? fullScans(plan).filter((t) => GROWING.includes(t)) : [];
          if (bad.length > 0 && !ALLOWED_SCANS[oneLine(s.sql)])
            scans.push(`${oneLine(s.text)}\n    ${JSON.stringify(plan)}`);
        }
      } finally {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
      expect(scans).toEqual([]);
    },
  );
});
