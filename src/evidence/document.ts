import type { SystemId } from '../catalog.js';
import { containTimes } from '../engine/containment.js';
import { type ConfigSummary, EVIDENCE_FORMAT, type EvidenceDocument } from '../engine/evidence-port.js';
import type { AuditRecord } from '../engine/store-port/index.js';
import { allTargets, type RevocationRequest, type RevocationStep } from '../engine/types.js';

/** The audit actions that are decisions on a request. */
export const DECISION_ACTIONS = [
  'approved',
  'denied',
  'break_glass_approved',
  'expired',
  'request_withdrawn',
];

export interface EvidenceInput {
  request: RevocationRequest;
  steps: RevocationStep[];
  /** The request's audit records, in sequence order. */
  records: AuditRecord[];
  chainHead: { seq: number; hash: string } | undefined;
  exportedAt: string;
  version: string;
  configuration: { fingerprint: string; summary: ConfigSummary };
}

/**
 * The evidence of one request: the request (people, systems, plan, reason, source), every
 * decision, every step (attempts, vendor request ids, statuses, outcome, sessions listed after,
 * confirmations, watch results, times from approval), and the request's audit records with their
 * chain hashes and the chain head at export. Nothing secret: a workflow step's token is left out.
 */
export function buildEvidence(input: EvidenceInput): EvidenceDocument {
  const { request: r } = input;
  const times = new Map(containTimes(r, input.steps).map((t) => [t.key, t]));
  return {
    format: EVIDENCE_FORMAT,
    exportedAt: input.exportedAt,
    app: { name: 'revoke-sessions', version: input.version },
    configuration: input.configuration,
    request: strip({
      id: r.id,
      source: r.source,
      requester: r.requester,
      people: allTargets(r).map((p) => ({
        slackUserId: p.slackUserId,
        email: p.email,
        displayName: p.displayName,
      })),
      systems: r.systems,
      slackScope: r.slackScope,
      selection: r.selection,
      plan: r.plan,
      reason: r.reason,
      origin: r.origin,
      status: r.status,
      summary: r.summary,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      decidedBy: r.decidedBy,
      decidedAt: r.decidedAt,
      decisionNote: r.decisionNote,
      breakGlass: r.breakGlass,
      workflow: r.workflow
        ? { functionExecutionId: r.workflow.functionExecutionId, completedAt: r.workflow.completedAt }
        : undefined,
    }),
    decisions: input.records
      .filter((a) => DECISION_ACTIONS.includes(a.action))
      .map((a) => ({
        seq: a.seq,
        action: a.action,
        by: a.actor,
        at: a.at,
        note: typeof a.data.note === 'string' ? a.data.note : null,
      })),
    steps: input.steps.map((s) => {
      const t = times.get(s.key);
      return strip({
        key: s.key,
        system: s.system as SystemId,
        person: s.targetIndex,
        state: s.state,
        attempts: s.attempts,
        account: s.account ? { id: s.account.id, login: s.account.login } : undefined,
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
        result: s.result,
        timeToContain: {
          acceptedAfterS: t?.acceptedAfterS ?? null,
          confirmedAfterS: t?.confirmedAfterS ?? null,
        },
      });
    }),
    audit: { records: input.records, chainHead: input.chainHead ?? null },
  };
}

/** Drops undefined fields: the document is exactly what its JSON says. */
function strip(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
