import type { Store } from '../engine/store-port/index.js';
import { type SqliteOptions, SqliteStore } from './sqlite.js';

export type { SqliteOptions } from './sqlite.js';

/** Opens the store named by DATABASE_URL and applies migrations (`sqlite`: how a SQLite store commits). */
export async function createStore(databaseUrl: string, sqlite?: SqliteOptions): Promise<Store> {
  let store: Store;
  if (databaseUrl.startsWith('sqlite:')) {
    store = new SqliteStore(databaseUrl.slice('sqlite:'.length), sqlite);
  } else if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const { PostgresStore } = await import('./postgres.js');
    store = new PostgresStore(databaseUrl);
  } else {
    throw new Error('DATABASE_URL must be sqlite:<path> or postgres://…');
  }
  await store.migrate();
  return store;
}
