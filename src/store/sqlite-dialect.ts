import sql, { empty } from 'sql-template-tag';
import type { Dialect } from './backend.js';

/**
 * SQLite's part of the dialect. `BEGIN IMMEDIATE` takes the database's one
 * write lock at the start of every write transaction, so a row read in one
 * (the audit chain's head included) is the row it changes (there is no
 * `FOR UPDATE`). Steps keep their insertion order in `rowid`.
 */
export const SQLITE_DIALECT: Dialect = {
  forUpdate: empty,
  stepOrder: sql`rowid`,
  beforeMigrations: async () => {},
  hasTable: (table) => sql`SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ${table}`,
};

/** Statement texts vary with the fields a patch sets and a request's step count; keep the common ones. */
export const STATEMENT_CACHE_SIZE = 200;

/**
 * What a commit waits for: `FULL` syncs the write-ahead log at every commit (a committed write
 * survives a power loss); `NORMAL` only at checkpoints (it survives a crash of the process, not
 * of the machine).
 */
export type SqliteSynchronous = 'FULL' | 'NORMAL';
