import type { SystemId } from '../config.js';
import type {
  NewRequest,
  RequestStatus,
  RevocationRequest,
  RevocationStep,
  StepState,
  ThreadRef,
} from '../engine/types.js';

/** One append-only audit record; `hash` chains it to the record before it. */
export interface AuditRecord {
  seq: number;
  at: string;
  requestId: string | null;
  actor: string;
  action: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface NewAuditRecord {
  requestId?: string | undefined;
  actor: string;
  action: string;
  data?: Record<string, unknown> | undefined;
}

export interface RequestPatch {
  status?: RequestStatus;
  thread?: ThreadRef;
  summary?: string;
}

export interface StepPatch {
  state?: StepState;
  attempts?: number;
  account?: RevocationStep['account'];
  result?: RevocationStep['result'];
  startedAt?: string;
  finishedAt?: string;
}

/**
 * The single source of truth: requests, their per-system steps, and the audit log.
 * Every method is atomic on its own.
 */
export interface Store {
  /** Applies pending migrations; safe to call on every start. */
  migrate(): Promise<void>;
  /** Inserts a request and one pending step per system, atomically. */
  createRequest(
    id: string,
    request: NewRequest,
    status: RequestStatus,
    now: string,
  ): Promise<RevocationRequest>;
  getRequest(id: string): Promise<RevocationRequest | undefined>;
  /** Updates a request; with `expected`, only when its status is still that (compare-and-set). Returns whether it changed. */
  updateRequest(id: string, patch: RequestPatch, now: string, expected?: RequestStatus[]): Promise<boolean>;
  listSteps(requestId: string): Promise<RevocationStep[]>;
  updateStep(requestId: string, system: SystemId, patch: StepPatch): Promise<void>;
  /** Recent requests naming this Slack user as target, newest first. */
  listRequestsForTarget(slackUserId: string, limit: number): Promise<RevocationRequest[]>;
  /** Appends to the hash-chained audit log. */
  appendAudit(record: NewAuditRecord, now: string): Promise<AuditRecord>;
  listAudit(options?: { requestId?: string; limit?: number }): Promise<AuditRecord[]>;
  close(): Promise<void>;
}
