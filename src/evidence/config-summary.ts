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
