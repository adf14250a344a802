import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/engine/store-port/index.js';
import { createStore } from '../../src/store/index.js';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations/sqlite.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { atScaleContract } from './at-scale-contract.js';
import { auditStreamContract } from './audit-stream-contract.js';
import { newRequest, type RawAccess, storeContract } from './contract.js';
import { outboxContract } from './outbox-contract.js';
import { proofContract } from './proof-contract.js';
import { signalStoreContract } from './ssf-contract.js';

const root = mkdtempSync(join(tmpdir(), 'revoke-store-'));
const NOW = '2026-11-22T10:00:00.000Z';
const later = (s: number) => new Date(Date.parse(NOW) + s * 1000).toISOString();
let n = 0;
const paths = new WeakMap<Store, string>();

describe('SQLite store', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  outboxContract(async () => createStore(`sqlite:${join(root, `o${n++}`, 'revoke.db')}`));

  proofContract(async () => createStore(`sqlite:${join(root, `p${n++}`, 'revoke.db')}`));

  auditStreamContract(async () => createStore(`sqlite:${join(root, `a${n++}`, 'revoke.db')}`));

  signalStoreContract(
    async () => {
      const path = join(root, `s${n++}`, 'revoke.db');
      const store = await createStore(`sqlite:${path}`);
      paths.set(store, path);
      return store;
    },
    async (store) => {
      await store.close();
      return createStore(`sqlite:${paths.get(store) ?? ''}`);
    },
  );

  const openFresh = async () => {
    const path = join(root, `t${n++}`, 'nested', 'revoke.db');
    const store = await createStore(`sqlite:${path}`);
    paths.set(store, path);
    return store;
  };
  const rawAccess = (store: Store): RawAccess => {
    const path = paths.get(store) ?? '';
    const run = async (fn: (db: Database.Database) => void) => {
      const db = new Database(path);
      try {
        fn(db);
      } finally {
        db.close();
      }
    };
    return {
      exec: (sql) => run((db) => db.exec(sql)),
      editAudit: (seq, data) =>
        run((db) => {
          db.exec('DROP TRIGGER IF EXISTS audit_log_no_update');
          db.prepare('UPDATE audit_log SET data = ? WHERE seq = ?').run(data, seq);
        }),
      deleteAudit: (seq) =>
        run((db) => {
          db.exec('DROP TRIGGER IF EXISTS audit_log_no_delete');
          db.prepare('DELETE FROM audit_log WHERE seq = ?').run(seq);
        }),
    };
  };
  storeContract(openFresh, rawAccess);
  atScaleContract(openFresh, rawAccess);

  it('creates the file and its folders on first start, records migrations, and keeps data across reopen', async () => {
    const path = join(root, 'fresh', 'a', 'b', 'revoke.db');
    expect(existsSync(path)).toBe(false);
    const first = await createStore(`sqlite:${path}`);
    await first.createRequest('r-1', newRequest(), 'approved', '2026-11-22T10:00:00.000Z');
    await first.close();
    expect(existsSync(path)).toBe(true);
    const db = new Database(path);
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
      version: number;
    }[];
    db.close();
    expect(versions.map((v) => v.version)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    const again = new SqliteStore(path);
    await again.migrate();
    expect((await again.getRequest('r-1'))?.reason).toBe('INC-1 <b>');
    await again.close();
  });

  it('runs a call made while another call’s transaction is open after it, never inside it', async () => {
    const store = await createStore(`sqlite:${join(root, 'queue', 'revoke.db')}`);
    try {
      await store.createRequest('r-1', newRequest(), 'approved', NOW);
      expect(await store.claim('r-1', 'runner-a', later(30), NOW)).toBe(1);
      // A record that cannot be written rolls its transaction back; the renewal issued while
      // that transaction is open must not be rolled back with it.
      const broken = { requestId: 'r-1', actor: 'x', action: 'step_started', data: { n: 1n } };
      const [failed, renewed] = await Promise.allSettled([
        store.updateSteps('r-1', [{ key: 'slack', patch: { state: 'running' } }], broken, later(1)),
        store.renewLease('r-1', 'runner-a', later(90), later(1)),
      ]);
      expect(failed.status).toBe('rejected');
      expect(renewed).toEqual({ status: 'fulfilled', value: true });
      // Past the first lease, within the renewed one: nobody else may take the request.
      expect(await store.listRunnable(later(60), 10)).toEqual([]);
      expect(await store.claim('r-1', 'runner-b', later(120), later(60))).toBeUndefined();
      expect((await store.listSteps('r-1')).map((step) => step.state)).toEqual(['pending', 'pending']);
    } finally {
      await store.close();
    }
  });

  it('keeps answering after a call fails', async () => {
    const store = await createStore(`sqlite:${join(root, 'after-failure', 'revoke.db')}`);
    try {
      await store.createRequest('r-1', newRequest(), 'approved', NOW);
      const results = await Promise.allSettled([
        store.createRequest('r-1', newRequest(), 'approved', NOW),
        store.getRequest('r-1'),
        store.appendAudit({ actor: 'a', action: 'x' }, NOW),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
      expect(await store.listAudit()).toMatchObject([{ seq: 1, action: 'x' }]);
    } finally {
      await store.close();
    }
  });

  it('starts on an up-to-date file while another process holds the write lock (migrate only reads)', async () => {
    const path = join(root, 'locked', 'revoke.db');
    await (await createStore(`sqlite:${path}`)).close();
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const started = Date.now();
      const store = await createStore(`sqlite:${path}`);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await store.listAudit()).toEqual([]);
      await store.close();
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });
});
