import type { ResetRecord } from '../../providers/slack-admin/audit-logs.js';

/** Reads the session resets Slack's audit log recorded in a time range. */
export interface ResetReader {
  resets(oldest: Date, latest: Date): Promise<ResetRecord[]>;
}

/** What the engine does after a run, to know (not assume) what happened. */
export interface FollowUpSettings {
  /** Slack's Audit Logs confirm resets; absent without SLACK_AUDIT_TOKEN. */
  slackAudit?:
    | {
        reader: ResetReader;
        /** SLACK_AUDIT_CONFIRM_WINDOW: how long to look before saying "not confirmed". */
        windowMs: number;
        /** The first look after the run (default 30 s), then one every `everyMs` (default 60 s). */
        firstCheckMs?: number | undefined;
        everyMs?: number | undefined;
      }
    | undefined;
  /** REVOKE_WATCH: when to list the person's sessions again after the run (ms); empty: off. */
  watchMs: readonly number[];
}
