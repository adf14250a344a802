import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations/sqlite.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { newRequest, storeContract } from './contract.js';

const root = mkdtempSync(join(tmpdir(), 'revoke-store-'));
let n = 0;
const paths = new WeakMap<Store, string>();

describe('SQLite store', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  storeContract(
    async () => {
      const path = join(root, `t${n++}`, 'nested', 'revoke.db');
      const store = await createStore(`sqlite:${path}`);
      paths.set(store, path);
      return store;
    },
    (store) => {
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
    },
  );

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
});
