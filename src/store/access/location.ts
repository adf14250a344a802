import { resolve } from 'node:path';
import { errorCode } from '../../util/error-code.js';

/**
 * Where DATABASE_URL points, as people are told it: a SQLite file by its absolute path
 * (`sqlite::memory:` stays as is), a PostgreSQL database without its user or password.
 */
export type StoreLocation =
  | { backend: 'sqlite'; url: string; path: string; where: string }
  | { backend: 'postgres'; url: string; shown: string; where: string };

/** `postgres://host:port/db`: the URL without user or password. */
function shownPostgres(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    return `postgres://${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'postgres://…';
  }
}

/** The store DATABASE_URL names: `sqlite:<path>`, else PostgreSQL. */
export function locate(databaseUrl: string): StoreLocation {
  if (databaseUrl.startsWith('sqlite:')) {
    const given = databaseUrl.slice('sqlite:'.length);
    const path = given === ':memory:' ? given : resolve(given);
    return { backend: 'sqlite', url: databaseUrl, path, where: `SQLite file ${path}` };
  }
  const shown = shownPostgres(databaseUrl);
  return { backend: 'postgres', url: databaseUrl, shown, where: `PostgreSQL ${shown}` };
}

function passwordOf(databaseUrl: string): string | undefined {
  try {
    const p = decodeURIComponent(new URL(databaseUrl).password);
    return p === '' ? undefined : p;
  } catch {
    return undefined;
  }
}

/** `text` with the password of DATABASE_URL, if any, replaced by `[redacted]`. */
export function withoutPassword(text: string, databaseUrl: string): string {
  const password = passwordOf(databaseUrl);
  return password ? text.replaceAll(password, '[redacted]') : text;
}

/** A failure as the driver said it: `code: message` (the code alone when there is no message). */
export function driverDetail(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (message.trim() === '') return code ?? 'unknown error';
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

const IN_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the server running, and is the host and port right?)',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  ETIMEDOUT: 'the connection timed out',
  '3D000': 'that database does not exist',
  '28P01': 'the password was refused',
  '28000': 'the server refused this user',
};

/** Why a PostgreSQL connection failed, in words (the driver's codes are terse), never with the password. */
export function postgresReason(error: unknown, databaseUrl: string): string {
  const code = errorCode(error);
  let reason = (code && IN_WORDS[code]) || (error as { message?: string }).message || String(error);
  if (/timeout/i.test(reason) && !code) reason = 'the connection timed out';
  return withoutPassword(reason, databaseUrl);
}
