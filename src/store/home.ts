import sql, { join, type Sql } from 'sql-template-tag';
import type { RequestStatus } from '../engine/types.js';

/*
 * What a person's App Home reads: the newest requests someone asked for (an index search on
 * request_people, role `requester`) and the newest requests in a few statuses (an index search on
 * requests_status). Both bounded by `limit`.
 */

export const requestsAskedBy = (actor: string, limit: number): Sql =>
  sql`SELECT r.* FROM request_people p JOIN requests r ON r.id = p.request_id
    WHERE p.person = ${actor} AND p.role = 'requester'
    ORDER BY p.created_at DESC, p.request_id DESC LIMIT ${limit}`;

export const requestsInStatus = (statuses: readonly RequestStatus[], limit: number): Sql =>
  sql`SELECT * FROM requests WHERE status IN (${join(statuses.length > 0 ? [...statuses] : ['-'])})
    ORDER BY created_at DESC, id DESC LIMIT ${limit}`;
