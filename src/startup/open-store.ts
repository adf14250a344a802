import { resolve } from 'node:path';
import type { Store } from '../engine/store-port/index.js';
import type { Logger, Redactor } from '../log.js';
import { createStore, type SqliteOptions } from '../store/index.js';
import { errorCode, StartupError } from './errors.js';

/** Connection failures that a database still starting up (or not yet reachable) gives. */
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P03', // cannot_connect_now: the server is starting up
]);

export interface OpenStoreOptions {
  logger: Logger;
  /** Scrubs the database password from anything said about a failure. */
  redactor: Redactor;
  /** Keep retrying an unreachable PostgreSQL this long before giving up (default 60 s). */
  retryForMs?: number | undefined;
  /** First wait between attempts; doubles up to 5 s (default 500 ms). */
  retryBaseMs?: number | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** How a SQLite store commits (default: on its writer thread, synchronous FULL). */
  sqlite?: SqliteOptions | undefined;
}

function describe(error: unknown, redactor: Redactor): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const text =
    message.trim() === ''
      ? (code ?? 'unknown error')
      : code && !message.includes(code)
        ? `${code}: ${message}`
        : message;
  return redactor.redact(text);
}

/**
 * Opens the store named by DATABASE_URL and migrates it. An unreachable
 * PostgreSQL is retried with backoff for a bounded time (a replica may start
 * before its database); every failure becomes a {@link StartupError} naming
 * DATABASE_URL (and a SQLite file by its absolute path).
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions): Promise<Store> {
  const { logger, redactor } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  if (databaseUrl.startsWith('sqlite:')) {
    const file = resolve(databaseUrl.slice('sqlite:'.length));
    try {
      return await createStore(`sqlite:${file}`, options.sqlite);
    } catch (error) {
      throw new StartupError(
        'DATABASE_URL',
        `DATABASE_URL: cannot open the SQLite file ${file} (${describe(error, redactor)}); make sure its folder exists or can be created and is writable by this process, or point DATABASE_URL elsewhere.`,
      );
    }
  }
  const retryForMs = options.retryForMs ?? 60_000;
  const started = Date.now();
  let delay = options.retryBaseMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      const store = await createStore(databaseUrl);
      if (attempt > 1) logger.info(`PostgreSQL answered after ${attempt} attempts`);
      return store;
    } catch (error) {
      const why = describe(error, redactor);
      const transient = TRANSIENT.has(errorCode(error) ?? '');
      const left = retryForMs - (Date.now() - started);
      if (!transient || left <= 0) {
        throw new StartupError(
          'DATABASE_URL',
          transient
            ? `DATABASE_URL: PostgreSQL did not answer within ${Math.round(retryForMs / 1000)} s (${why}); check the host, port and that the server is up.`
            : `DATABASE_URL: PostgreSQL refused the connection or the migration (${why}); check the user, password, database name and permissions.`,
        );
      }
      const wait = Math.min(delay, left);
      logger.warn(`PostgreSQL is not reachable yet (${why}); attempt ${attempt}, retrying in ${wait} ms`);
      await sleep(wait);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
