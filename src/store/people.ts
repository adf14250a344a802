import sql, { join, type Sql } from 'sql-template-tag';
import { allTargets, type NewRequest } from '../engine/types.js';
import { foldEmail } from '../util/email.js';
import type { Executor } from './backend.js';

/*
 * The people of each request (`request_people`, migration 8): one row per person key a request
 * names, so "every request naming Alice" is an index search, never a scan of the requests.
 * A person key is `slack:U…` (a Slack user), `email:<folded address>`, or the requester's actor
 * (`slack:U…`, `cli:<OS user>`, `api:…`, `workflow:…`), which is also how audit records name
 * their actor.
 */

/** A request's role for a person: one of its targets, or who asked. */
export type PersonRole = 'target' | 'requester';

export interface RequestPerson {
  person: string;
  role: PersonRole;
}

/** The person key of a Slack user. */
export const slackPerson = (userId: string): string => `slack:${userId}`;

/** The person key of an email address (ASCII-folded, as every system compares addresses). */
export const emailPerson = (address: string): string => `email:${foldEmail(address)}`;

/** Every person key a request names, each once. */
export function peopleOf(
  request: Pick<NewRequest, 'target' | 'additionalTargets' | 'requester'>,
): RequestPerson[] {
  const seen = new Set<string>();
  const out: RequestPerson[] = [];
  const add = (person: string, role: PersonRole) => {
    if (seen.has(`${role} ${person}`)) return;
    seen.add(`${role} ${person}`);
    out.push({ person, role });
  };
  for (const t of allTargets(request)) {
    if (t.slackUserId) add(slackPerson(t.slackUserId), 'target');
    if (t.email) add(emailPerson(t.email), 'target');
  }
  add(`${request.requester.kind}:${request.requester.id}`, 'requester');
  return out;
}

/** Rows per INSERT: well under both databases' limits on parameters in one statement. */
const ROWS_PER_INSERT = 500;

/** Records a new request's people inside its create transaction. */
export async function insertPeopleIn(
  tx: Executor,
  requestId: string,
  createdAt: string,
  people: readonly RequestPerson[],
): Promise<void> {
  for (let i = 0; i < people.length; i += ROWS_PER_INSERT) {
    const rows = people
      .slice(i, i + ROWS_PER_INSERT)
      .map((p) => sql`(${p.person}, ${p.role}, ${requestId}, ${createdAt})`);
    await tx.run(sql`INSERT INTO request_people (person, role, request_id, created_at) VALUES ${join(rows)}
      ON CONFLICT (person, role, request_id) DO NOTHING`);
  }
}

/** The newest requests naming `person` as a target, newest first (an index search on request_people). */
export const requestsNaming = (person: string, limit: number): Sql =>
  sql`SELECT r.* FROM request_people p JOIN requests r ON r.id = p.request_id
    WHERE p.person = ${person} AND p.role = 'target'
    ORDER BY p.created_at DESC, p.request_id DESC LIMIT ${limit}`;
