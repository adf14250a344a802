import type { SystemId } from '../catalog.js';
import type { AuditRecord, CreateOptions, RequestPatch, StepPatch } from '../engine/store-port/index.js';
import type {
  NewRequest,
  Person,
  RequestStatus,
  RevocationRequest,
  RevocationStep,
  StepState,
} from '../engine/types.js';

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
  expires_at: string | null;
  approval_card: string | null;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  break_glass: number | boolean;
  idempotency_key: string | null;
  workflow: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  plan: string | null;
  /** The fencing token of the request's latest claim (0: never claimed); BIGINT (a string) on PostgreSQL. */
  fence: number | string;
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
  /** Unused since the results thread goes through the outbox (its effects say what was posted); kept, null. */
  notified_at: string | null;
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

export function requestToRow(
  id: string,
  r: NewRequest,
  status: RequestStatus,
  now: string,
  options: CreateOptions = {},
): RequestRow {
  return {
    id,
    status,
    source: r.source,
    requester: JSON.stringify(r.requester),
    // A bulk request stores all its people as an array; a single one as the object.
    target: JSON.stringify(r.additionalTargets?.length ? [r.target, ...r.additionalTargets] : r.target),
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
    expires_at: options.expiresAt ?? null,
    approval_card: null,
    decided_by: null,
    decided_at: null,
    decision_note: null,
    break_glass: 0,
    idempotency_key: options.idempotencyKey ?? null,
    workflow: json(options.workflow),
    lease_owner: null,
    lease_until: null,
    plan: json(r.plan),
    fence: 0,
  };
}

export function rowToRequest(row: RequestRow): RevocationRequest {
  return {
    id: row.id,
    status: row.status as RequestStatus,
    source: row.source as RevocationRequest['source'],
    requester: JSON.parse(row.requester),
    ...targetsOf(row.target),
    systems: JSON.parse(row.systems) as SystemId[],
    slackScope: row.slack_scope as RevocationRequest['slackScope'],
    selection: parse(row.selection),
    reason: row.reason,
    origin: parse(row.origin),
    thread: parse(row.thread),
    summary: row.summary ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at ?? undefined,
    approvalCard: parse(row.approval_card),
    decidedBy: row.decided_by ?? undefined,
    decidedAt: row.decided_at ?? undefined,
    decisionNote: row.decision_note ?? undefined,
    breakGlass: Boolean(row.break_glass),
    idempotencyKey: row.idempotency_key ?? undefined,
    workflow: parse(row.workflow),
    plan: parse(row.plan),
  };
}

/** Request columns a {@link RequestPatch} may set, with their encoders (shared by both stores). */
export const REQUEST_PATCH_COLUMNS: [keyof RequestPatch, string, (v: unknown) => unknown][] = [
  ['status', 'status', (v) => v],
  ['thread', 'thread', json],
  ['summary', 'summary', (v) => v],
  ['approvalCard', 'approval_card', json],
  ['decidedBy', 'decided_by', (v) => v],
  ['decidedAt', 'decided_at', (v) => v],
  ['decisionNote', 'decision_note', (v) => v],
  ['breakGlass', 'break_glass', (v) => (v ? 1 : 0)],
  ['workflow', 'workflow', json],
];

/** Step columns a {@link StepPatch} may set, with their encoders (shared by both stores). */
export const STEP_PATCH_COLUMNS: [keyof StepPatch, string, (v: unknown) => unknown][] = [
  ['state', 'state', (v) => v],
  ['attempts', 'attempts', (v) => v],
  ['account', 'account', json],
  ['result', 'result', json],
  ['startedAt', 'started_at', (v) => v],
  ['finishedAt', 'finished_at', (v) => v],
];

function targetsOf(column: string): Pick<RevocationRequest, 'target' | 'additionalTargets'> {
  const parsed = JSON.parse(column) as Person | Person[];
  if (!Array.isArray(parsed)) return { target: parsed };
  const [first, ...rest] = parsed;
  return { target: first ?? {}, additionalTargets: rest };
}

/** Splits a step key (`slack`, `slack#3`) into its system and person index. */
export function parseStepKey(key: string): { system: SystemId; targetIndex: number } {
  const [system, index] = key.split('#');
  return { system: system as SystemId, targetIndex: index === undefined ? 0 : Number(index) };
}

export function rowToStep(row: StepRow): RevocationStep {
  return {
    requestId: row.request_id,
    key: row.system,
    ...parseStepKey(row.system),
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
