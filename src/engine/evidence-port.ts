import type { JWK } from 'jose';
import type { AuditRecord } from './store-port/index.js';

/*
 * What the engine needs of signed evidence (the port the evidence module fills): a finished
 * request's document, its signature, and the public keys that verify it.
 */

/** The configuration a request ran under, without a secret: systems, policy, proof settings. */
export interface ConfigSummary {
  systems: string[];
  policy: {
    requireApproval: boolean;
    approvalTtlMs: number;
    approvalChannel: string | null;
    requesters: string[];
    approvers: string[];
    protectedUsers: string[];
    breakGlassUsers: string[];
  };
  proof: { watchMs: number[]; slackAuditConfirm: boolean; slackAuditWindowMs: number | null };
}

export const EVIDENCE_FORMAT = 'revoke-sessions/evidence/v1';

/** One decision, as the audit log recorded it. */
export interface EvidenceDecision {
  seq: number;
  action: string;
  by: string;
  at: string;
  /** The break-glass justification or the denial note. */
  note: string | null;
}

/** One finished request, everything that happened to it, in one document. */
export interface EvidenceDocument {
  format: typeof EVIDENCE_FORMAT;
  exportedAt: string;
  app: { name: 'revoke-sessions'; version: string };
  configuration: { fingerprint: string; summary: ConfigSummary };
  request: Record<string, unknown>;
  decisions: EvidenceDecision[];
  steps: Record<string, unknown>[];
  audit: { records: AuditRecord[]; chainHead: { seq: number; hash: string } | null };
}

/** The evidence file: the document as readable JSON, and a compact JWS over its field digests. */
export interface EvidenceFile {
  evidence: EvidenceDocument;
  /** RS256 compact JWS; its payload is `{requestId, digests}`, its header carries the public JWK. */
  signature: string;
}

/** What exporting a request's evidence came to. */
export type EvidenceExport =
  | { ok: true; file: EvidenceFile }
  | { ok: false; code: 'not_found' | 'not_finished'; message: string };

/** Exports signed evidence; what the engine hands out to the surfaces (they never see the store). */
export interface EvidenceExporter {
  export(requestId: string): Promise<EvidenceExport>;
  keys(): Promise<{ keys: JWK[] }>;
}
