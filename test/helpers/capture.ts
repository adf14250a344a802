/**
 * Collects what the app under test produces — log lines, calls to the fake
 * Slack (the messages and views it sends), its HTTP answers, CLI output, audit
 * rows and anything written to the console — into one folder per `npm test`
 * run, so that the secrets scan in test/global/secrets-scan.ts can read
 * everything the whole run produced. Without REVOKE_TEST_CAPTURE_DIR (the
 * benchmarks, a script) it does nothing.
 *
 * Files: `<kind>.<pid>.txt`, one record per line (newlines inside a record are
 * escaped), and `reach.<pid>.txt`, the test files each process ran.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import Database from 'better-sqlite3';

export const CAPTURE_KINDS = ['log', 'slack', 'http', 'cli', 'audit', 'console'] as const;
export type CaptureKind = (typeof CAPTURE_KINDS)[number];

/** Prefix of the files naming the test files a process ran (not scanned). */
export const REACH_PREFIX = 'reach';

function captureDir(): string | undefined {
  return process.env.REVOKE_TEST_CAPTURE_DIR || undefined;
}

/** Appends one record (a line, or a JSON value as one line) of what the app produced. */
export function capture(kind: CaptureKind, record: unknown): void {
  const dir = captureDir();
  if (!dir) return;
  const text = typeof record === 'string' ? record : JSON.stringify(record);
  // One file per kind and process: appends from several test workers never interleave.
  appendFileSync(join(dir, `${kind}.${process.pid}.txt`), `${text.replace(/\r?\n/g, '\\n')}\n`);
}

/** Captures a block of text (a process's whole output) as one record per non-empty line. */
export function captureLines(kind: CaptureKind, text: string): void {
  for (const line of text.split(/\r?\n/)) if (line !== '') capture(kind, line);
}

/**
 * A line-buffered capture for a stream of chunks: a chunk may end in the
 * middle of a line (or of a token), so only whole lines are captured, and the
 * rest when `end` is called.
 */
export function lineCapture(kind: CaptureKind): { write(chunk: string): void; end(): void } {
  let pending = '';
  return {
    write(chunk) {
      pending += chunk;
      const cut = pending.lastIndexOf('\n');
      if (cut < 0) return;
      captureLines(kind, pending.slice(0, cut));
      pending = pending.slice(cut + 1);
    },
    end() {
      if (pending !== '') captureLines(kind, pending);
      pending = '';
    },
  };
}

/** Captures every line a child process writes to `stream` (stdout or stderr). */
export function captureStream(kind: CaptureKind, stream: Readable | null | undefined): void {
  if (!stream) return;
  const lines = lineCapture(kind);
  stream.on('data', (chunk: Buffer | string) => lines.write(chunk.toString()));
  stream.on('close', () => lines.end());
}

/** A log sink for a logger built in a test: keeps the lines in `lines` and captures them. */
export function captureLogs(lines: string[] = []): (line: string) => void {
  return (line) => {
    lines.push(line);
    capture('log', line);
  };
}

/** Records that this process ran `testFile` (lets the scan name the test file of each capture). */
export function markReached(testFile: string): void {
  const dir = captureDir();
  if (dir) appendFileSync(join(dir, `${REACH_PREFIX}.${process.pid}.txt`), `${testFile}\n`);
}

/** Captures every audit row of a SQLite database file the app wrote (read-only; a missing file is skipped). */
export function captureSqliteAudit(databaseUrl: string | undefined): void {
  if (!captureDir() || !databaseUrl?.startsWith('sqlite:')) return;
  const file = databaseUrl.slice('sqlite:'.length);
  if (!existsSync(file)) return;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate()) capture('audit', row);
  } catch {
    // no audit table yet (the app died before migrating)
  } finally {
    db.close();
  }
}

/** Captures every audit row in PostgreSQL schema `schema`, through an open client (e.g. `pg.Client`). */
export async function capturePostgresAudit(
  client: { query(sql: string): Promise<{ rows: unknown[] }> },
  schema: string,
): Promise<void> {
  if (!captureDir()) return;
  if (!/^[a-z_][a-z0-9_]*$/i.test(schema)) throw new Error(`not a plain schema name: ${schema}`);
  try {
    const { rows } = await client.query(`SELECT * FROM ${schema}.audit_log ORDER BY seq`);
    for (const row of rows) capture('audit', row);
  } catch {
    // no audit table (the schema was never migrated)
  }
}

/** Captures the audit records a store holds, through the store's own API (any backend). */
export async function captureStoreAudit(store: { listAudit(): Promise<unknown[]> }): Promise<void> {
  if (!captureDir()) return;
  try {
    for (const record of await store.listAudit()) capture('audit', record);
  } catch {
    // a store a test broke on purpose (dropped tables) has nothing to read
  }
}
