import pg from 'pg';
import sql, { type Sql } from 'sql-template-tag';
import type { Backend, Dialect, Executor } from './backend.js';
import { POSTGRES_MIGRATIONS } from './migrations/postgres.js';
import { SqlStore } from './sql-store.js';

/** A schema name usable unquoted, in SQL and in the `-c search_path=` startup option alike. */
const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresStoreOptions {
  /**
   * Keep every table in this schema (created by {@link PostgresStore.migrate}
   * when missing) instead of the server's default search path. Lower-case
   * letters, digits and `_` only. Meant for tests: each file gets its own
   * schema and drops it afterwards.
   */
  schema?: string | undefined;
  /** Errors of idle pooled connections (e.g. the server restarted); the pool drops such a connection and opens a new one when needed. */
  onError?: ((error: Error) => void) | undefined;
  /** Most connections the pool opens (default 10). */
  max?: number | undefined;
  /** Give up on a connection the server has not accepted after this long (default: wait for the network). */
  connectTimeoutMs?: number | undefined;
}

/**
 * PostgreSQL's part of the dialect. Under READ COMMITTED, a compare-and-set
 * UPDATE re-checks its WHERE clause once a concurrent one commits, and an
 * insert on a taken idempotency key waits for the other transaction. An
 * audit append reads the chain head `FOR UPDATE`: every other append (in any
 * process) queues on that one row until the commit, so the head read is the
 * true predecessor and nobody takes its sequence number; nothing else waits.
 */
function postgresDialect(schema: string | undefined): Dialect {
  return {
    forUpdate: sql` FOR UPDATE`,
    stepOrder: sql`ord`,
    beforeMigrations: async (tx) => {
      // Replicas starting together queue here; the lock ends with the transaction.
      await tx.run(
        sql`SELECT pg_advisory_xact_lock(hashtext('revoke-sessions:migrate:' || ${schema ?? ''}))`,
      );
      if (schema) await tx.script(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    },
    hasTable: (table) => sql`SELECT 1 AS found WHERE to_regclass(${table}) IS NOT NULL`,
  };
}

/** Statements on a pool (each on any free connection, autocommit) or on one client (inside its transaction). */
function executor(on: pg.Pool | pg.PoolClient): Executor {
  return {
    all: async <T>(s: Sql) => (await on.query(s.text, s.values)).rows as T[],
    run: async (s) => (await on.query(s.text, s.values)).rowCount ?? 0,
    script: async (text) => void (await on.query(text)),
  };
}

/** A `pg` connection pool; a transaction is BEGIN … COMMIT on one pooled connection. */
export class PostgresBackend implements Backend {
  readonly dialect: Dialect;
  private readonly pool: pg.Pool;
  private readonly onPool: Executor;
  private ended = false;

  constructor(url: string, options: PostgresStoreOptions) {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_RE.test(schema)) {
      throw new Error('PostgreSQL schema names must be lower-case letters, digits and _ (at most 63)');
    }
    this.dialect = postgresDialect(schema);
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      ...(options.connectTimeoutMs ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}),
      // Set at connection start-up, so no query can ever run with another search path.
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    this.onPool = executor(this.pool);
    const onError = options.onError ?? (() => {});
    // Without a listener, an idle connection's error would crash the process.
    this.pool.on('error', (error) => onError(error));
  }

  all<T>(statement: Sql): Promise<T[]> {
    return this.onPool.all<T>(statement);
  }

  run(statement: Sql): Promise<number> {
    return this.onPool.run(statement);
  }

  script(text: string): Promise<void> {
    return this.onPool.script(text);
  }

  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(executor(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: destroy it.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.pool.end();
  }
}

/**
 * The shared store for several replicas: the shared SQL of {@link SqlStore}
 * over a `pg` connection pool, with the same behaviour as the SQLite store.
 */
export class PostgresStore extends SqlStore {
  constructor(url: string, options: PostgresStoreOptions = {}) {
    super(new PostgresBackend(url, options), POSTGRES_MIGRATIONS);
  }
}
