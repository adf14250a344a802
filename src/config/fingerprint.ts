import { createHash } from 'node:crypto';
import { type Config, enabledSystems } from '../config.js';
import { canonicalJson } from '../engine/audit-chain.js';
import type { ConfigSummary } from '../engine/evidence-port.js';

const ids = (list: { users: ReadonlySet<string>; groups: ReadonlySet<string> }) =>
  [...list.users, ...list.groups].sort();

/** The summary and its fingerprint (sha256 of its canonical JSON): equal fingerprints, equal settings. */
export function configFingerprint(config: Config): { fingerprint: string; summary: ConfigSummary } {
  const summary: ConfigSummary = {
    systems: enabledSystems(config),
    policy: {
      requireApproval: config.requireApproval,
      approvalTtlMs: config.approvalTtlMs,
      approvalChannel: config.approvalChannel ?? null,
      requesters: ids(config.requesters),
      approvers: ids(config.approvers),
      protectedUsers: ids(config.protectedUsers),
      breakGlassUsers: ids(config.breakGlassUsers),
    },
    proof: {
      watchMs: [...config.proof.watchMs],
      slackAuditConfirm: config.proof.slackAudit !== undefined,
      slackAuditWindowMs: config.proof.slackAudit?.confirmWindowMs ?? null,
    },
  };
  return { fingerprint: createHash('sha256').update(canonicalJson(summary)).digest('hex'), summary };
}
