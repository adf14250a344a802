import type { Store } from '../../engine/store-port/index.js';
import type { Logger } from '../../log.js';
import { errorCode } from '../../util/error-code.js';
import { createStore, type SqliteOptions } from '../index.js';
import { StoreAccessError } from './errors.js';
import { driverDetail, locate, withoutPassword } from './location.js';

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
  /** Told when PostgreSQL is retried, and when it answered after a retry. */
  logger?: Pick<Logger, 'info' | 'warn'> | undefined;
  /** Scrubs secrets from what is said about a failure (default: the password of DATABASE_URL). */
  redact?: ((text: string) => string) | undefined;
  /** Keep retrying an unreachable PostgreSQL this long before giving up (default 0: one attempt). */
  retryForMs?: number | undefined;
  /** First wait between attempts; doubles up to 5 s (default 500 ms). */
  retryBaseMs?: number | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** How a SQLite store commits (default: on its writer thread, synchronous FULL). */
  sqlite?: SqliteOptions | undefined;
}

/**
 * Opens the store named by DATABASE_URL, creating and migrating it as needed. An unreachable
 * PostgreSQL is retried with backoff for a bounded time (a replica may start before its
 * database); every failure is a {@link StoreAccessError} naming DATABASE_URL (and a SQLite file by
 * its absolute path), without the password.
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const at = locate(databaseUrl);
  const redact = options.redact ?? ((text: string) => withoutPassword(text, databaseUrl));
  const why = (error: unknown) => redact(driverDetail(error));
  if (at.backend === 'sqlite') {
    try {
      return await createStore(`sqlite:${at.path}`, options.sqlite);
    } catch (error) {
      throw new StoreAccessError(
        `DATABASE_URL: cannot open the SQLite file ${at.path} (${why(error)}); make sure its folder exists or can be created and is writable by this process, or point DATABASE_URL elsewhere.`,
        'configuration',
      );
    }
  }
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const retryForMs = options.retryForMs ?? 0;
  const started = Date.now();
  let delay = options.retryBaseMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      const store = await createStore(databaseUrl);
      if (attempt > 1) options.logger?.info(`PostgreSQL answered after ${attempt} attempts`);
      return store;
    } catch (error) {
      const transient = TRANSIENT.has(errorCode(error) ?? '');
      const left = retryForMs - (Date.now() - started);
      if (!transient || left <= 0) {
        throw new StoreAccessError(
          transient
            ? `DATABASE_URL: PostgreSQL did not answer${retryForMs > 0 ? ` within ${Math.round(retryForMs / 1000)} s` : ''} (${why(error)}); check the host, port and that the server is up.`
            : `DATABASE_URL: PostgreSQL refused the connection or the migration (${why(error)}); check the user, password, database name and permissions.`,
          'unreachable',
        );
      }
      const wait = Math.min(delay, left);
      options.logger?.warn(
        `PostgreSQL is not reachable yet (${why(error)}); attempt ${attempt}, retrying in ${wait} ms`,
      );
      await sleep(wait);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
