import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import sql from 'sql-template-tag';
import type { Backend } from '../backend.js';
import { POSTGRES_MIGRATIONS } from '../migrations/postgres.js';
import { SQLITE_MIGRATIONS } from '../migrations/sqlite.js';
import { outboxHealthIn } from '../outbox.js';
import { SqliteBackend } from '../sqlite.js';
import { appliedMigrations } from '../statements.js';
import { StoreAccessError } from './errors.js';
import { locate, postgresReason, type StoreLocation } from './location.js';

/** What is found at DATABASE_URL, checked without creating or changing anything. */
export interface StoreInspection {
  /** The database exists and holds revoke-sessions tables. */
  exists: boolean;
  /** Migrations recorded in it, and how many this version knows. */
  applied: number;
  known: number;
  /** Human description of where it is, without credentials. */
  where: string;
  /** Outbox effects waiting for delivery and failed for good (when the store has an outbox). */
  outbox?: { pending: number; failed: number } | undefined;
}

type Found = Pick<StoreInspection, 'applied' | 'outbox'>;

/**
 * What a store holds, by the store's own statements, only read: undefined when the database has
 * no revoke-sessions tables (no migrations recorded, or no audit log).
 */
async function look(db: Backend): Promise<Found | undefined> {
  const has = async (table: string) => (await db.all(db.dialect.hasTable(table))).length > 0;
  if (!(await has('schema_migrations')) || !(await has('audit_log'))) return undefined;
  const applied = (await db.all(appliedMigrations())).length;
  if (!(await has('outbox'))) return { applied };
  const health = await outboxHealthIn(db, new Date().toISOString());
  const failed = health.failed.reduce((n, f) => n + f.count, 0);
  return { applied, outbox: { pending: health.pending, failed } };
}

async function inspectSqlite(at: Extract<StoreLocation, { backend: 'sqlite' }>): Promise<StoreInspection> {
  const { path, where } = at;
  const known = SQLITE_MIGRATIONS.length;
  if (path === ':memory:' || !existsSync(path)) return { exists: false, applied: 0, known, where };
  if (!statSync(path).isFile())
    throw new StoreAccessError(`DATABASE_URL names ${path}, which is not a file.`, 'configuration');
  let db: Backend | undefined;
  try {
    // Opening the existing file only: no file or folder is created, nothing is written.
    db = new SqliteBackend(path, 'FULL', true);
    const found = await look(db);
    if (!found)
      throw new StoreAccessError(
        `DATABASE_URL names ${path}, which is not a revoke-sessions database (it has no audit log).`,
        'configuration',
      );
    return { exists: true, known, where, ...found };
  } catch (error) {
    if (error instanceof StoreAccessError) throw error;
    throw new StoreAccessError(
      `DATABASE_URL names ${path}, which cannot be read as a SQLite database: ${(error as Error).message}`,
      'configuration',
    );
  } finally {
    await db?.close();
  }
}

async function inspectPostgres(
  at: Extract<StoreLocation, { backend: 'postgres' }>,
): Promise<StoreInspection> {
  const { url, shown, where } = at;
  const known = POSTGRES_MIGRATIONS.length;
  const { PostgresBackend } = await import('../postgres.js');
  const db = new PostgresBackend(url, { max: 1, connectTimeoutMs: 5_000 });
  try {
    try {
      await db.all(sql`SELECT 1 AS reachable`);
    } catch (error) {
      throw new StoreAccessError(
        `Cannot reach the PostgreSQL database named by DATABASE_URL (${shown}): ${postgresReason(error, url)}.`,
        'unreachable',
      );
    }
    try {
      const found = await look(db);
      return found ? { exists: true, known, where, ...found } : { exists: false, applied: 0, known, where };
    } catch (error) {
      throw new StoreAccessError(
        `The PostgreSQL database named by DATABASE_URL (${shown}) could not be read: ${postgresReason(error, url)}.`,
        'unreachable',
      );
    }
  } finally {
    await db.close().catch(() => {});
  }
}

/** Looks at the store named by DATABASE_URL without creating or migrating it. */
export async function inspectStore(databaseUrl: string): Promise<StoreInspection> {
  const at = locate(databaseUrl);
  return at.backend === 'sqlite' ? inspectSqlite(at) : inspectPostgres(at);
}

/**
 * Throws unless DATABASE_URL names an existing revoke-sessions store: for the commands that only
 * read (`audit`, `audit verify`, `status`), so that a mistyped URL is an error rather than a new,
 * empty and "intact" audit log.
 */
export async function requireExistingStore(databaseUrl: string): Promise<void> {
  const found = await inspectStore(databaseUrl);
  if (found.exists) return;
  const at = locate(databaseUrl);
  throw new StoreAccessError(
    at.backend === 'postgres'
      ? `The PostgreSQL database named by DATABASE_URL (${at.shown}) has no revoke-sessions tables: point DATABASE_URL at the database the app uses. Nothing was created.`
      : at.path === ':memory:'
        ? 'DATABASE_URL is sqlite::memory:, which holds no audit log; point it at the database the app uses.'
        : `No database at ${at.path} (DATABASE_URL): point DATABASE_URL at the file the app uses. Nothing was created.`,
    'configuration',
  );
}

/**
 * Whether the app could create the SQLite file DATABASE_URL names: the nearest existing folder
 * above it is writable (never, for a PostgreSQL URL: no file to create).
 */
export function sqliteCreatable(databaseUrl: string): { ok: boolean; folder: string } {
  const at = locate(databaseUrl);
  if (at.backend !== 'sqlite') return { ok: false, folder: '' };
  let folder = dirname(at.path);
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  try {
    accessSync(folder, constants.W_OK);
    return { ok: statSync(folder).isDirectory(), folder };
  } catch {
    return { ok: false, folder };
  }
}
