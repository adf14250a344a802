import sql, { empty, type Sql } from 'sql-template-tag';
import type {
  IntakeEntry,
  IntakeState,
  NewAuditRecord,
  NewEffect,
  NewIntake,
} from '../engine/store-port/index.js';
import { changeWithRecord } from './audit-append.js';
import type { Backend, Executor } from './backend.js';

/*
 * The intake journal: a submission is written here before its surface acknowledges it, and
 * completed (`done`) in the transaction that records its request, or `refused` with the reason.
 * Statements written once for SQLite and PostgreSQL, as in statements.ts.
 */

interface IntakeRow {
  key: string;
  actor: string;
  form: string;
  channel_id: string | null;
  state: string;
  attempts: number | string;
  owner: string | null;
  lease_until: string | null;
  request_id: string | null;
  message: string | null;
  created_at: string;
  updated_at: string;
}

function rowToIntake(row: IntakeRow): IntakeEntry {
  return {
    key: row.key,
    actor: row.actor,
    form: JSON.parse(row.form) as Record<string, unknown>,
    channelId: row.channel_id ?? undefined,
    state: row.state as IntakeState,
    attempts: Number(row.attempts),
    owner: row.owner ?? undefined,
    leaseUntil: row.lease_until ?? undefined,
    requestId: row.request_id ?? undefined,
    message: row.message ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * A new entry, pending and held by `owner`. A key journaled already is left alone, unless that
 * submission was refused (nothing was recorded for it): then this one takes its place.
 */
const insertIntake = (e: NewIntake, owner: string, leaseUntil: string, now: string): Sql =>
  sql`INSERT INTO intake (key, actor, form, channel_id, state, attempts, owner, lease_until, created_at, updated_at)
    VALUES (${e.key}, ${e.actor}, ${JSON.stringify(e.form)}, ${e.channelId ?? null}, 'pending', 1, ${owner}, ${leaseUntil}, ${now}, ${now})
    ON CONFLICT (key) DO UPDATE SET actor = excluded.actor, form = excluded.form, channel_id = excluded.channel_id,
      state = 'pending', attempts = 1, owner = excluded.owner, lease_until = excluded.lease_until,
      request_id = NULL, message = NULL, created_at = excluded.created_at, updated_at = excluded.updated_at
    WHERE intake.state = 'refused'`;

const selectIntake = (key: string): Sql => sql`SELECT * FROM intake WHERE key = ${key}`;

const due = (now: string): Sql => sql`state = 'pending' AND (lease_until IS NULL OR lease_until < ${now})`;

const listDueIntake = (now: string, limit: number): Sql =>
  sql`SELECT key FROM intake WHERE ${due(now)} ORDER BY created_at, key LIMIT ${limit}`;

/** Takes a pending entry whose lease expired (one more attempt); returns it when taken. */
const claimIntake = (key: string, owner: string, leaseUntil: string, now: string): Sql =>
  sql`UPDATE intake SET owner = ${owner}, lease_until = ${leaseUntil}, attempts = attempts + 1, updated_at = ${now}
    WHERE key = ${key} AND ${due(now)} RETURNING *`;

const renewIntake = (key: string, owner: string, leaseUntil: string, now: string): Sql =>
  sql`UPDATE intake SET lease_until = ${leaseUntil}, updated_at = ${now}
    WHERE key = ${key} AND owner = ${owner} AND state = 'pending'`;

const refuseIntake = (key: string, owner: string, message: string, now: string): Sql =>
  sql`UPDATE intake SET state = 'refused', message = ${message}, lease_until = NULL, updated_at = ${now}
    WHERE key = ${key} AND owner = ${owner} AND state = 'pending'`;

/** Settled entries last changed before `before` (found by their state in `intake_state`, not by a scan). */
const pruneIntake = (before: string): Sql =>
  sql`DELETE FROM intake WHERE state IN ('done', 'refused') AND updated_at < ${before}`;

/**
 * Inside a create's transaction: marks the entry `done` with its request. With `owner`, only while
 * that owner holds it (the create is its owner's); without, whoever holds it (the request exists already).
 */
export async function completeIntakeIn(
  tx: Executor,
  key: string,
  requestId: string,
  now: string,
  owner?: string,
): Promise<boolean> {
  const held = owner === undefined ? empty : sql` AND owner = ${owner}`;
  const changed = await tx.run(
    sql`UPDATE intake SET state = 'done', request_id = ${requestId}, lease_until = NULL, updated_at = ${now}
      WHERE key = ${key} AND state = 'pending'${held}`,
  );
  return changed === 1;
}

/** The {@link Store} methods of the journal, over a backend (see their documentation there). */
export async function journalIntakeIn(
  db: Executor,
  entry: NewIntake,
  owner: string,
  leaseUntil: string,
  now: string,
): Promise<boolean> {
  return (await db.run(insertIntake(entry, owner, leaseUntil, now))) === 1;
}

export async function listDueIntakeIn(db: Executor, now: string, limit: number): Promise<string[]> {
  return (await db.all<{ key: string }>(listDueIntake(now, limit))).map((r) => r.key);
}

export async function claimIntakeIn(
  db: Executor,
  key: string,
  owner: string,
  leaseUntil: string,
  now: string,
): Promise<IntakeEntry | undefined> {
  const [row] = await db.all<IntakeRow>(claimIntake(key, owner, leaseUntil, now));
  return row ? rowToIntake(row) : undefined;
}

export async function renewIntakeIn(
  db: Executor,
  key: string,
  owner: string,
  leaseUntil: string,
  now: string,
): Promise<boolean> {
  return (await db.run(renewIntake(key, owner, leaseUntil, now))) === 1;
}

export async function refuseIntakeIn(
  db: Backend,
  key: string,
  owner: string,
  message: string,
  now: string,
  record: NewAuditRecord | undefined,
  effects: NewEffect[] = [],
): Promise<boolean> {
  return changeWithRecord(db, refuseIntake(key, owner, message, now), now, record, effects);
}

export async function getIntakeIn(db: Executor, key: string): Promise<IntakeEntry | undefined> {
  const [row] = await db.all<IntakeRow>(selectIntake(key));
  return row ? rowToIntake(row) : undefined;
}

export const pruneIntakeIn = (db: Executor, before: string): Promise<number> => db.run(pruneIntake(before));
