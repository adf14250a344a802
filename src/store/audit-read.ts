import sql, { empty, join, type Sql } from 'sql-template-tag';
import type { AuditQuery, AuditRecord } from '../engine/store-port/index.js';
import type { Executor } from './backend.js';
import { type AuditRow, rowToAudit } from './rows.js';

/*
 * Reading the audit log at any size: always one page in sequence order, found from the primary
 * key (`seq > after`), so a reader holds one page at a time however long the log is and each
 * page costs the same whichever part of the log it is.
 */

/** `LIKE` text matching `text` literally (`\` escapes). */
const literal = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * What a request-less record says about a person: a preview's `target` names them in its data
 * (`"slackUserId":"U…"` or `"email":"…"`, exactly as the record was serialised).
 */
function namedInData(people: readonly string[]): Sql[] {
  return people.flatMap((key) => {
    const [kind, ...rest] = key.split(':');
    const value = rest.join(':');
    const field = kind === 'slack' ? 'slackUserId' : kind === 'email' ? 'email' : undefined;
    if (!field || value === '') return [];
    return [sql`data LIKE ${`%${literal(`"${field}":${JSON.stringify(value)}`)}%`} ESCAPE '\\'`];
  });
}

/**
 * Records of the requests naming one of `people` (as a target or as its requester), records one
 * of them made (their actor), and request-less records naming one of them in their data.
 */
function aboutPeople(people: readonly string[]): Sql {
  const named = namedInData(people);
  return sql` AND (request_id IN (SELECT request_id FROM request_people WHERE person IN (${join(people)}))
    OR actor IN (${join(people)})${named.length ? sql` OR (request_id IS NULL AND (${join(named, ' OR ')}))` : empty})`;
}

/** One page of the audit log in sequence order (see {@link AuditQuery}). */
export function auditPage(q: AuditQuery): Sql {
  const filters = [
    q.requestId === undefined ? empty : sql` AND request_id = ${q.requestId}`,
    q.since === undefined ? empty : sql` AND at >= ${q.since}`,
    q.until === undefined ? empty : sql` AND at < ${q.until}`,
    q.actions?.length ? sql` AND action IN (${join(q.actions)})` : empty,
    q.people?.length ? aboutPeople(q.people) : empty,
  ];
  return sql`SELECT * FROM audit_log WHERE seq > ${q.afterSeq ?? 0}${join(filters, '')} ORDER BY seq LIMIT ${q.limit}`;
}

/** Reads one page (see {@link AuditQuery}); an empty `actions` or `people` list matches nothing. */
export async function readAuditIn(db: Executor, q: AuditQuery): Promise<AuditRecord[]> {
  if (q.actions?.length === 0 || q.people?.length === 0 || q.limit <= 0) return [];
  return (await db.all<AuditRow>(auditPage(q))).map(rowToAudit);
}

/** Records per page when a caller streams the whole log. */
export const AUDIT_PAGE = 1_000;

/**
 * Every record matching `query`, in sequence order, one page at a time: memory stays one page
 * whatever the size of the log. `read` is the store's {@link AuditQuery} reader.
 */
export async function* streamAudit(
  read: (q: AuditQuery) => Promise<AuditRecord[]>,
  query: Omit<AuditQuery, 'limit'> & { pageSize?: number } = {},
): AsyncGenerator<AuditRecord> {
  const { pageSize = AUDIT_PAGE, ...filter } = query;
  let after = filter.afterSeq ?? 0;
  for (;;) {
    const page = await read({ ...filter, afterSeq: after, limit: pageSize });
    yield* page;
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) return;
    after = last.seq;
  }
}
