import type { Sql } from 'sql-template-tag';

/**
 * Runs statements written once in `statements.ts` (`sql-template-tag` objects:
 * each backend renders the placeholders its driver wants).
 */
export interface Executor {
  /** The rows a statement returns. */
  all<T>(statement: Sql): Promise<T[]>;
  /** Runs a statement; resolves to how many rows it inserted, changed or deleted. */
  run(statement: Sql): Promise<number>;
  /** Runs a script of several statements without parameters (migrations). */
  script(text: string): Promise<void>;
}

/**
 * Where the SQL of the two databases differs. Everything else, every
 * statement and every transaction boundary, is shared.
 */
export interface Dialect {
  /**
   * Appended to a SELECT of a row the same transaction then changes (row lock), or `empty` where
   * the write transaction itself already excludes other writers. The audit log's chain head is
   * read with it, so appends from every connection and process queue one after another.
   */
  readonly forUpdate: Sql;
  /** The column that orders a request's steps as they were inserted. */
  readonly stepOrder: Sql;
  /** Run first in the migration transaction (serialise replicas that start together, create the schema). */
  beforeMigrations(tx: Executor): Promise<void>;
  /** A statement that returns one row when `table` exists (on the search path), none when it does not. */
  hasTable(table: string): Sql;
}

/**
 * One database behind the shared store: how to run a statement (outside a
 * transaction: on its own, atomically) and how to run a transaction, plus its
 * {@link Dialect}.
 */
export interface Backend extends Executor {
  readonly dialect: Dialect;
  /**
   * Runs `fn` in one write transaction on one connection: everything it did is
   * committed when it resolves and rolled back when it throws. Write
   * transactions that touch the same rows or the audit log never interleave.
   * `fn` must run its statements on `tx` only.
   */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
