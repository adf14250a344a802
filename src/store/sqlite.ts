import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Sql } from 'sql-template-tag';
import type { Backend, Executor } from './backend.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite.js';
import { SqlStore } from './sql-store.js';
import { SQLITE_DIALECT, type SqliteSynchronous, STATEMENT_CACHE_SIZE } from './sqlite-dialect.js';
import { SqliteThreadBackend } from './sqlite-thread.js';

/**
 * SQLite on the event loop: better-sqlite3 runs every statement, and every
 * COMMIT with its fsync, synchronously on one connection. Store
 * methods are async, so a transaction's body awaits between its statements
 * and another call could slip in and run inside it: every statement and
 * transaction therefore takes its turn in one queue, so a transaction is
 * never interleaved with anything else from this process (other processes
 * wait for the file's write lock, up to `busy_timeout`).
 */
export class SqliteBackend implements Backend {
  readonly dialect = SQLITE_DIALECT;
  private readonly db: Database.Database;
  private readonly prepared = new Map<string, Database.Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Runs statements at once; only ever called by whoever holds the queue. */
  private readonly direct: Executor = {
    all: async <T>(s: Sql) => this.statement(s).all(...s.values) as T[],
    run: async (s) => this.statement(s).run(...s.values).changes,
    script: async (text) => void this.db.exec(text),
  };

  /**
   * With `existingOnly`, nothing is created or changed by opening: the file must exist (no folder
   * or file is made) and its journal mode is left as it is (for looking at a store).
   */
  constructor(path: string, synchronous: SqliteSynchronous = 'FULL', existingOnly = false) {
    if (path !== ':memory:' && !existingOnly) mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { fileMustExist: existingOnly });
    // Wait for other processes' locks before anything else (the WAL switch on a new file included).
    this.db.pragma('busy_timeout = 5000');
    if (!existingOnly) this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`synchronous = ${synchronous}`);
  }

  all<T>(statement: Sql): Promise<T[]> {
    return this.inTurn(() => this.direct.all<T>(statement));
  }

  run(statement: Sql): Promise<number> {
    return this.inTurn(() => this.direct.run(statement));
  }

  script(text: string): Promise<void> {
    return this.inTurn(() => this.direct.script(text));
  }

  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    return this.inTurn(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        // SQLite may already have rolled back on its own (e.g. a full disk).
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.inTurn(async () => {
      if (this.db.open) this.db.close();
    });
  }

  /** Runs `fn` after everything queued before it has finished (failed or not). */
  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => {});
    return result;
  }

  /** The prepared statement for this text, from a small cache (oldest text dropped first). */
  private statement(s: Sql): Database.Statement {
    let prepared = this.prepared.get(s.sql);
    if (!prepared) {
      prepared = this.db.prepare(s.sql);
      if (this.prepared.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.prepared.keys().next().value;
        if (oldest !== undefined) this.prepared.delete(oldest);
      }
      this.prepared.set(s.sql, prepared);
    }
    return prepared;
  }
}

/** How the embedded store commits (the defaults are the product's; benchmarks compare the others). */
export interface SqliteOptions {
  /**
   * `thread` (default): writes and their commits run on a writer thread, so the event loop never
   * waits for the disk; `inline`: on the event loop (the behaviour before the writer thread).
   * `:memory:` is always inline (a second connection would see another database).
   */
  writer?: 'thread' | 'inline' | undefined;
  /** `FULL` (default): a committed write survives a power loss; `NORMAL`: a crash of the process only. */
  synchronous?: SqliteSynchronous | undefined;
}

/**
 * The embedded store: one SQLite file (WAL mode), created with its folder on
 * first use; the shared SQL of {@link SqlStore} over better-sqlite3.
 */
export class SqliteStore extends SqlStore {
  constructor(path: string, options: SqliteOptions = {}) {
    const synchronous = options.synchronous ?? 'FULL';
    const inline = options.writer === 'inline' || path === ':memory:';
    super(
      inline ? new SqliteBackend(path, synchronous) : new SqliteThreadBackend(path, synchronous),
      SQLITE_MIGRATIONS,
    );
  }
}
