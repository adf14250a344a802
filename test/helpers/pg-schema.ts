import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/** An empty schema of its own on TEST_DATABASE_URL, for one describe block. */
export interface EmptySchema {
  /** TEST_DATABASE_URL with every connection's search path set to the schema (set in beforeAll). */
  url(): string;
  /** The names of the tables in the schema now. */
  tables(): Promise<string[]>;
}

/**
 * Creates `<prefix>_<pid>` empty before the block's tests and drops it after them. Call it inside
 * a `describe.skipIf(!TEST_DATABASE_URL)` block.
 */
export function emptySchema(prefix: string): EmptySchema {
  const schema = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  let url = '';
  beforeAll(async () => {
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    const u = new URL(process.env.TEST_DATABASE_URL ?? '');
    u.searchParams.set('options', `-c search_path=${schema}`);
    url = u.toString();
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });
  return {
    url: () => url,
    tables: async () =>
      (
        await admin.query<{ table_name: string }>(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
          [schema],
        )
      ).rows.map((r) => r.table_name),
  };
}
