import type { Backend, Executor } from './backend.js';
import { appliedMigrations, migrationsTable, recordMigration } from './statements.js';

/** One versioned schema change; append only, never edit a released one. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The versions recorded as applied. */
async function appliedVersions(db: Executor): Promise<Set<number>> {
  const rows = await db.all<{ version: number | string }>(appliedMigrations());
  return new Set(rows.map((r) => Number(r.version)));
}

/**
 * Applies the migrations not yet recorded, all in one write transaction (both
 * databases change their schema transactionally), so replicas starting
 * together queue behind each other and each migration is applied and recorded
 * once, or not at all. An up-to-date database is only read.
 */
export async function applyMigrations(backend: Backend, migrations: readonly Migration[]): Promise<void> {
  // No table yet (a fresh database) reads as nothing applied; the transaction below decides.
  const seen = await appliedVersions(backend).catch(() => new Set<number>());
  if (migrations.every((m) => seen.has(m.version))) return;
  await backend.transaction(async (tx) => {
    await backend.dialect.beforeMigrations(tx);
    await tx.script(migrationsTable);
    // Another process may have applied some since we looked: check again under the lock.
    const applied = await appliedVersions(tx);
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      await tx.script(m.sql);
      await tx.run(recordMigration(m.version, m.name, new Date().toISOString()));
    }
  });
}
