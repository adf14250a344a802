import { SLACK_USER_ID } from '../../util/input-rules.js';
/** Block Kit identifiers shared by the builders, the guards and the listeners. */
export const IDS = {
  command: '/revoke-sessions',
  requestView: 'revoke_request',
  targetBlock: 'target',
  targetAction: 'target_user',
  moreTargetsBlock: 'more_targets',
  moreTargetsAction: 'more_targets_selected',
  systemsBlock: 'systems',
  systemsAction: 'systems_selected',
  scopeBlock: 'slack_scope',
  scopeAction: 'slack_scope_selected',
  reasonBlock: 'reason',
  reasonAction: 'reason_input',
  modeBlock: 'session_mode',
  modeAction: 'session_mode_selected',
  sessionsBlockPrefix: 'sessions_',
  sessionsAction: 'sessions_selected',
  approveAction: 'approve_request',
  denyAction: 'deny_request',
  breakGlassAction: 'break_glass_request',
  breakGlassView: 'break_glass',
  justificationBlock: 'justification',
  justificationAction: 'justification_input',
} as const;

/** The modal's private metadata: where it was opened and for whom the preview was built. */
export interface RequestViewMetadata {
  /** Invoking channel. */
  c?: string | undefined;
  /** Target user the preview describes. */
  t?: string | undefined;
}

export function encodeMetadata(meta: RequestViewMetadata): string {
  return JSON.stringify(meta);
}

export function decodeMetadata(text: string | undefined): RequestViewMetadata {
  if (!text) return {};
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    const id = (v: unknown, re: RegExp) => (typeof v === 'string' && re.test(v) ? v : undefined);
    return { c: id(raw.c, /^[CGD][A-Z0-9]{2,}$/), t: id(raw.t, SLACK_USER_ID) };
  } catch {
    return {};
  }
}
