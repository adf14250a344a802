import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { newRequest } from './contract.js';

const NOW = '2026-11-22T10:00:00.000Z';

describe('SQLite store with its writer thread (group commit)', () => {
  const root = mkdtempSync(join(tmpdir(), 'revoke-thread-'));
  let n = 0;
  const fresh = async () => {
    const path = join(root, `t${n++}`, 'revoke.db');
    const store = new SqliteStore(path);
    await store.migrate();
    return { store, path };
  };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('commits many concurrent writes together, each resolved only once another connection can read it', async () => {
    const { store, path } = await fresh();
    const other = new Database(path, { readonly: true });
    try {
      const seen: number[] = [];
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          store.appendAudit({ actor: 'engine', action: `a${i}` }, NOW).then((r) => {
            // Resolved means committed: another connection already reads it.
            const row = other.prepare('SELECT seq FROM audit_log WHERE seq = ?').get(r.seq) as {
              seq: number;
            };
            seen.push(row.seq);
          }),
        ),
      );
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(verifyChain(await store.listAudit())).toEqual({ ok: true, checked: 40 });
    } finally {
      other.close();
      await store.close();
    }
  });

  it('rolls a failing transaction back to its own savepoint: the others of its group commit', async () => {
    const { store } = await fresh();
    try {
      await store.createRequest('r-1', newRequest(), 'approved', NOW);
      const bad = { requestId: 'r-1', actor: 'x', action: 'step_started', data: { n: 1n } };
      const results = await Promise.allSettled([
        store.appendAudit({ actor: 'engine', action: 'before' }, NOW),
        // Its step update reaches the writer; its record cannot be serialised: all of it is undone.
        store.updateSteps('r-1', [{ key: 'slack', patch: { state: 'running' } }], bad, NOW),
        store.updateStep('r-1', 'box', { state: 'running' }),
        store.appendAudit({ actor: 'engine', action: 'after' }, NOW),
        // A statement that fails on its own (a duplicate key) undoes only itself.
        store.createRequest('r-1', newRequest(), 'approved', NOW),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
        'rejected',
      ]);
      expect((await store.listSteps('r-1')).map((s) => [s.key, s.state])).toEqual([
        ['slack', 'pending'],
        ['box', 'running'],
      ]);
      expect((await store.listAudit()).map((r) => r.action)).toEqual(['before', 'after']);
      expect(verifyChain(await store.listAudit()).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('finishes every queued write before it closes, and refuses writes after', async () => {
    const { store, path } = await fresh();
    const writes = Array.from({ length: 10 }, (_, i) =>
      store.appendAudit({ actor: 'engine', action: `w${i}` }, NOW),
    );
    await store.close();
    expect((await Promise.allSettled(writes)).every((r) => r.status === 'fulfilled')).toBe(true);
    const db = new Database(path, { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n).toBe(10);
    db.close();
    await expect(store.appendAudit({ actor: 'engine', action: 'late' }, NOW)).rejects.toThrow(
      /writer thread/,
    );
  });
});
