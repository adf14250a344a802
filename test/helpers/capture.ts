/**
 * Collects what the app under test produces — log lines, calls to the fake
 * Slack (the messages and views it sends), its HTTP answers, CLI output and
 * audit rows — into one folder per `npm test` run, so that the secrets scan in
 * test/global/secrets-scan.ts can read everything the whole run produced.
 * Without REVOKE_TEST_CAPTURE_DIR (the benchmarks, a script) it does nothing.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const CAPTURE_KINDS = ['log', 'slack', 'http', 'cli', 'audit'] as const;
export type CaptureKind = (typeof CAPTURE_KINDS)[number];

/** Appends one record (a line, or a JSON value as one line) of what the app produced. */
export function capture(kind: CaptureKind, record: unknown): void {
  const dir = process.env.REVOKE_TEST_CAPTURE_DIR;
  if (!dir) return;
  const text = typeof record === 'string' ? record : JSON.stringify(record);
  // One file per kind and process: appends from several test workers never interleave.
  appendFileSync(join(dir, `${kind}.${process.pid}.txt`), `${text.replace(/\r?\n/g, '\\n')}\n`);
}

/** A log sink for a logger built in a test: keeps the lines in `lines` and captures them. */
export function captureLogs(lines: string[]): (line: string) => void {
  return (line) => {
    lines.push(line);
    capture('log', line);
  };
}

/** Captures every audit row of a SQLite database file the app wrote (read-only; a missing file is skipped). */
export function captureSqliteAudit(databaseUrl: string | undefined): void {
  if (!process.env.REVOKE_TEST_CAPTURE_DIR || !databaseUrl?.startsWith('sqlite:')) return;
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
