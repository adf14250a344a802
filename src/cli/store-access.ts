import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { POSTGRES_MIGRATIONS } from '../store/migrations/postgres.js';
import { SQLITE_MIGRATIONS } from '../store/migrations/sqlite.js';

/** The store named by DATABASE_URL cannot be used; `exitCode` 2 = configuration, 1 = unreachable. */
export class StoreUnavailableError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

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

/**
 * Counts the outbox's waiting and failed effects (one query both databases answer). A check
 * scheduled for later (a re-listing in 30 min) is not waiting before its time.
 */
const outboxCounts = (now = new Date().toISOString()) =>
  `SELECT COALESCE(SUM(CASE WHEN state = 'pending' AND (attempts > 0 OR not_before <= created_at OR not_before <= '${now.replace(/[^0-9TZ:.-]/g, '')}') THEN 1 ELSE 0 END), 0) AS pending,
  COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0) AS failed FROM outbox`;

const outboxOf = (row: { pending: number | string; failed: number | string } | undefined) =>
  row ? { pending: Number(row.pending), failed: Number(row.failed) } : undefined;

/** `sqlite:<path>` → the absolute path; `sqlite::memory:` stays as is. */
export function sqlitePath(databaseUrl: string): string {
  const path = databaseUrl.slice('sqlite:'.length);
  return path === ':memory:' ? path : resolve(path);
}

/** A PostgreSQL URL shown without user or password: `postgres://host:port/db`. */
export function describePostgres(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    return `postgres://${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'postgres://…';
  }
}

function passwordOf(databaseUrl: string): string | undefined {
  try {
    const p = decodeURIComponent(new URL(databaseUrl).password);
    return p === '' ? undefined : p;
  } catch {
    return undefined;
  }
}

/** Why a PostgreSQL connection failed, in words (the driver's codes are terse), never with the password. */
function postgresReason(error: unknown, databaseUrl: string): string {
  const e = error as { code?: string; message?: string };
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused (is the server running, and is the host and port right?)',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name does not resolve',
    ETIMEDOUT: 'the connection timed out',
    '3D000': 'that database does not exist',
    '28P01': 'the password was refused',
    '28000': 'the server refused this user',
  };
  let reason = (e.code && known[e.code]) || e.message || String(error);
  if (/timeout/i.test(reason) && !e.code) reason = 'the connection timed out';
  const password = passwordOf(databaseUrl);
  return password ? reason.replaceAll(password, '[redacted]') : reason;
}

function inspectSqlite(databaseUrl: string): StoreInspection {
  const path = sqlitePath(databaseUrl);
  const where = `SQLite file ${path}`;
  const known = SQLITE_MIGRATIONS.length;
  if (path === ':memory:' || !existsSync(path)) return { exists: false, applied: 0, known, where };
  if (!statSync(path).isFile())
    throw new StoreUnavailableError(`DATABASE_URL names ${path}, which is not a file.`, 2);
  let db: Database.Database | undefined;
  try {
    // fileMustExist: opening never creates a file, and nothing here writes.
    db = new Database(path, { fileMustExist: true });
    const tables = new Set(
      (
        db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)")
          .all('schema_migrations', 'audit_log') as { name: string }[]
      ).map((r) => r.name),
    );
    if (!tables.has('schema_migrations') || !tables.has('audit_log'))
      throw new StoreUnavailableError(
        `DATABASE_URL names ${path}, which is not a revoke-sessions database (it has no audit log).`,
        2,
      );
    const { n } = db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number };
    const hasOutbox = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'")
      .get();
    const outbox = hasOutbox
      ? outboxOf(db.prepare(outboxCounts()).get() as { pending: number; failed: number })
      : undefined;
    return { exists: true, applied: n, known, where, outbox };
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw error;
    throw new StoreUnavailableError(
      `DATABASE_URL names ${path}, which cannot be read as a SQLite database: ${(error as Error).message}`,
      2,
    );
  } finally {
    db?.close();
  }
}

async function inspectPostgres(databaseUrl: string): Promise<StoreInspection> {
  const where = `PostgreSQL ${describePostgres(databaseUrl)}`;
  const known = POSTGRES_MIGRATIONS.length;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  // A connection error after connect() must not crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new StoreUnavailableError(
      `Cannot reach the PostgreSQL database named by DATABASE_URL (${describePostgres(databaseUrl)}): ${postgresReason(error, databaseUrl)}.`,
      1,
    );
  }
  try {
    const tables = await client.query<{ migrations: string | null; audit: string | null }>(
      "SELECT to_regclass('schema_migrations')::text AS migrations, to_regclass('audit_log')::text AS audit",
    );
    const row = tables.rows[0];
    if (!row?.migrations || !row.audit) return { exists: false, applied: 0, known, where };
    const count = await client.query<{ n: string }>('SELECT count(*) AS n FROM schema_migrations');
    const hasOutbox = await client.query<{ t: string | null }>("SELECT to_regclass('outbox')::text AS t");
    const outbox = hasOutbox.rows[0]?.t
      ? outboxOf((await client.query<{ pending: string; failed: string }>(outboxCounts())).rows[0])
      : undefined;
    return { exists: true, applied: Number(count.rows[0]?.n ?? 0), known, where, outbox };
  } catch (error) {
    throw new StoreUnavailableError(
      `The PostgreSQL database named by DATABASE_URL (${describePostgres(databaseUrl)}) could not be read: ${postgresReason(error, databaseUrl)}.`,
      1,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Looks at the store named by DATABASE_URL without creating or migrating it. */
export async function inspectStore(databaseUrl: string): Promise<StoreInspection> {
  return databaseUrl.startsWith('sqlite:') ? inspectSqlite(databaseUrl) : inspectPostgres(databaseUrl);
}

/**
 * Throws unless DATABASE_URL names an existing revoke-sessions store: for the
 * commands that only read (`audit`, `audit verify`, `status`), so that a
 * mistyped URL is an error rather than a new, empty and "intact" audit log.
 */
export async function requireExistingStore(databaseUrl: string): Promise<void> {
  const found = await inspectStore(databaseUrl);
  if (found.exists) return;
  if (databaseUrl.startsWith('sqlite:')) {
    const path = sqlitePath(databaseUrl);
    throw new StoreUnavailableError(
      path === ':memory:'
        ? 'DATABASE_URL is sqlite::memory:, which holds no audit log; point it at the database the app uses.'
        : `No database at ${path} (DATABASE_URL): point DATABASE_URL at the file the app uses. Nothing was created.`,
      2,
    );
  }
  throw new StoreUnavailableError(
    `The PostgreSQL database named by DATABASE_URL (${describePostgres(databaseUrl)}) has no revoke-sessions tables: point DATABASE_URL at the database the app uses. Nothing was created.`,
    2,
  );
}

/** Whether the app could create the SQLite file: the nearest existing folder above it is writable. */
export function sqliteCreatable(databaseUrl: string): { ok: boolean; folder: string } {
  let folder = dirname(sqlitePath(databaseUrl));
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  try {
    accessSync(folder, constants.W_OK);
    return { ok: statSync(folder).isDirectory(), folder };
  } catch {
    return { ok: false, folder };
  }
}

/** Wraps a failure to open or create the store (for `revoke`) in a message naming DATABASE_URL. */
export function storeOpenError(error: unknown, databaseUrl: string): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  if (databaseUrl.startsWith('sqlite:'))
    return new StoreUnavailableError(
      `Cannot open the SQLite database ${sqlitePath(databaseUrl)} (DATABASE_URL): ${(error as Error).message}`,
      2,
    );
  return new StoreUnavailableError(
    `Cannot use the PostgreSQL database named by DATABASE_URL (${describePostgres(databaseUrl)}): ${postgresReason(error, databaseUrl)}.`,
    1,
  );
}
