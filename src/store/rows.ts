import type { SystemId } from '../config.js';
import type {
  NewRequest,
  RequestStatus,
  RevocationRequest,
  RevocationStep,
  StepState,
} from '../engine/types.js';
import type { AuditRecord } from './types.js';

/** Column values of a request row, shared by the SQLite and PostgreSQL stores. */
export interface RequestRow {
  id: string;
  status: string;
  source: string;
  requester: string;
  target: string;
  target_slack_id: string | null;
  systems: string;
  slack_scope: string;
  selection: string | null;
  reason: string;
  origin: string | null;
  thread: string | null;
  summary: string | null;
  created_at: string;
  updated_at: string;
}

export interface StepRow {
  request_id: string;
  system: string;
  state: string;
  attempts: number;
  account: string | null;
  result: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface AuditRow {
  seq: number | string;
  at: string;
  request_id: string | null;
  actor: string;
  action: string;
  data: string;
  prev_hash: string;
  hash: string;
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
const parse = <T>(v: string | null): T | undefined => (v === null ? undefined : (JSON.parse(v) as T));

export function requestToRow(id: string, r: NewRequest, status: RequestStatus, now: string): RequestRow {
  return {
    id,
    status,
    source: r.source,
    requester: JSON.stringify(r.requester),
    target: JSON.stringify(r.target),
    target_slack_id: r.target.slackUserId ?? null,
    systems: JSON.stringify(r.systems),
    slack_scope: r.slackScope,
    selection: json(r.selection),
    reason: r.reason,
    origin: json(r.origin),
    thread: null,
    summary: null,
    created_at: now,
    updated_at: now,
  };
}

export function rowToRequest(row: RequestRow): RevocationRequest {
  return {
    id: row.id,
    status: row.status as RequestStatus,
    source: row.source as RevocationRequest['source'],
    requester: JSON.parse(row.requester),
    target: JSON.parse(row.target),
    systems: JSON.parse(row.systems) as SystemId[],
    slackScope: row.slack_scope as RevocationRequest['slackScope'],
    selection: parse(row.selection),
    reason: row.reason,
    origin: parse(row.origin),
    thread: parse(row.thread),
    summary: row.summary ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function rowToStep(row: StepRow): RevocationStep {
  return {
    requestId: row.request_id,
    system: row.system as SystemId,
    state: row.state as StepState,
    attempts: Number(row.attempts),
    account: parse(row.account),
    result: parse(row.result),
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
  };
}

export function rowToAudit(row: AuditRow): AuditRecord {
  return {
    seq: Number(row.seq),
    at: row.at,
    requestId: row.request_id,
    actor: row.actor,
    action: row.action,
    data: JSON.parse(row.data),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export { json as toJsonColumn };
