/**
 * The SQLite writer thread's program. It is CommonJS source run with `new Worker(…, { eval: true })`
 * rather than a module file, so that it starts the same way everywhere the store runs (the built
 * app, tsx, the test runner) without a loader; it is small and does one thing: it owns the
 * connection that writes, runs what the main thread sends, and answers each message with its
 * result or its error. `COMMIT` — and its fsync — runs here, never on the event loop.
 *
 * Messages: `{ id, op, sql?, values? }` with `op` one of `all`, `run`, `exec`, `begin`, `commit`,
 * `rollback`, `savepoint`, `release`, `undo` (back to the savepoint), `close`; answers
 * `{ id, result, tx }` or `{ id, error: { name, message, code }, tx }`, `tx` telling whether a
 * transaction is still open (SQLite rolls a whole transaction back on its own after some errors).
 */
export const WRITER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
db.pragma('journal_mode = WAL');
db.pragma('foreign_keys = ON');
db.pragma('synchronous = ' + workerData.synchronous);
const cache = new Map();
function statement(sql) {
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    if (cache.size >= workerData.cacheSize) cache.delete(cache.keys().next().value);
    cache.set(sql, s);
  }
  return s;
}
function perform(m) {
  switch (m.op) {
    case 'all': return statement(m.sql).all(...m.values);
    case 'run': return statement(m.sql).run(...m.values).changes;
    case 'exec': db.exec(m.sql); return null;
    case 'begin': db.exec('BEGIN IMMEDIATE'); return null;
    case 'commit': db.exec('COMMIT'); return null;
    // SQLite may already have rolled back on its own (e.g. a full disk).
    case 'rollback': if (db.inTransaction) db.exec('ROLLBACK'); return null;
    case 'savepoint': db.exec('SAVEPOINT one'); return null;
    case 'release': db.exec('RELEASE one'); return null;
    case 'undo': db.exec('ROLLBACK TO one'); db.exec('RELEASE one'); return null;
    case 'close': if (db.open) db.close(); return null;
    default: throw new Error('unknown operation ' + m.op);
  }
}
parentPort.on('message', (m) => {
  try {
    const result = perform(m);
    parentPort.postMessage({ id: m.id, result, tx: db.open && db.inTransaction });
  } catch (e) {
    const error = { name: e && e.name, message: String(e && e.message), code: e && e.code };
    parentPort.postMessage({ id: m.id, error, tx: db.open && db.inTransaction });
  }
  if (m.op === 'close') parentPort.close();
});
`;
