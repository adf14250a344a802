import { ErrorCode } from '../../errors.js';

interface SlackErrorInfo {
  code: ErrorCode;
  retryable: boolean;
  /** What went wrong and what to do about it, in one sentence for the admin. */
  sentence: string;
}

const ADMIN_TOKEN_AUTH = (what: string): SlackErrorInfo => ({
  code: ErrorCode.VendorAuth,
  retryable: false,
  sentence: `${what} Put a working org admin user token (xoxp-…) in SLACK_ADMIN_TOKEN.`,
});

/**
 * Slack Web API error codes (HTTP 200 `{ok:false,error}`) for the methods we call,
 * mapped to sentences that say what to fix. Source: the method pages of
 * admin.users.session.{reset,resetBulk,invalidate,list}, users.info, users.lookupByEmail.
 */
const SLACK_ERRORS: Record<string, SlackErrorInfo> = {
  user_not_found: {
    code: ErrorCode.IdentityMismatch,
    retryable: false,
    sentence: 'Slack has no user with that ID in this organization; check the person and try again.',
  },
  users_not_found: {
    code: ErrorCode.IdentityMismatch,
    retryable: false,
    sentence: 'Slack has no user with that email address in this organization.',
  },
  session_not_found: {
    code: ErrorCode.VendorRejected,
    retryable: false,
    sentence: 'That Slack session no longer exists; it has already ended.',
  },
  session_expired: {
    code: ErrorCode.VendorRejected,
    retryable: false,
    sentence: 'That Slack session had already expired.',
  },
  cannot_reset_primary_owner: {
    code: ErrorCode.NotAllowed,
    retryable: false,
    sentence:
      "Slack never lets an app reset the Primary Owner's sessions; the Primary Owner must sign out everywhere from their own account settings.",
  },
  cannot_invalidate_primary_owner: {
    code: ErrorCode.NotAllowed,
    retryable: false,
    sentence:
      "Slack never lets an app end the Primary Owner's sessions; ask them to sign out from their own account settings.",
  },
  session_reset_not_allowed: {
    code: ErrorCode.NotAllowed,
    retryable: false,
    sentence:
      "Slack does not allow resetting this user's sessions (for example an org owner or a user your admin token may not manage); ask an Org Owner to do it in the admin dashboard.",
  },
  cannot_reset_bot: {
    code: ErrorCode.NotAllowed,
    retryable: false,
    sentence: 'That user is a bot: bots have tokens, not login sessions; revoke the app or token instead.',
  },
  not_an_admin: ADMIN_TOKEN_AUTH('The user behind SLACK_ADMIN_TOKEN is not an Org Admin or Owner.'),
  admin_unauthorized: ADMIN_TOKEN_AUTH(
    'The user behind SLACK_ADMIN_TOKEN is not allowed to manage sessions.',
  ),
  restricted_action: ADMIN_TOKEN_AUTH('Slack restricted this action for the user behind SLACK_ADMIN_TOKEN.'),
  missing_scope: {
    code: ErrorCode.VendorAuth,
    retryable: false,
    sentence:
      'SLACK_ADMIN_TOKEN lacks a required scope; reinstall the app org-wide with the admin.users:read and admin.users:write user scopes and use the new token.',
  },
  not_allowed_token_type: {
    code: ErrorCode.VendorAuth,
    retryable: false,
    sentence:
      'SLACK_ADMIN_TOKEN is not a user token: admin.users.session.* only accepts an org admin user token (xoxp-…), not a bot token (xoxb-…).',
  },
  feature_not_enabled: {
    code: ErrorCode.VendorRejected,
    retryable: false,
    sentence:
      'This Slack organization is not on Enterprise Grid, so admin.users.session.* is unavailable; Slack sessions can only be reset by an admin in the Slack admin pages.',
  },
  invalid_auth: ADMIN_TOKEN_AUTH('Slack rejected the token as invalid.'),
  not_authed: ADMIN_TOKEN_AUTH('No token reached Slack.'),
  token_revoked: ADMIN_TOKEN_AUTH('The token has been revoked.'),
  token_expired: ADMIN_TOKEN_AUTH('The token has expired.'),
  account_inactive: ADMIN_TOKEN_AUTH('The user behind the token has been deactivated.'),
  enterprise_is_restricted: {
    code: ErrorCode.VendorAuth,
    retryable: false,
    sentence: 'Slack restricts this lookup in your Enterprise organization; install the app org-wide.',
  },
  ratelimited: {
    code: ErrorCode.RateLimited,
    retryable: true,
    sentence:
      'Slack kept rate-limiting the request and the retry budget ran out; wait a minute and try again.',
  },
  session_invalidation_failed: {
    code: ErrorCode.VendorUnavailable,
    retryable: true,
    sentence: 'Slack could not end that session this time; try again.',
  },
  failed_for_some_users: {
    code: ErrorCode.VendorRejected,
    retryable: false,
    sentence: 'Slack could not reset sessions for some of the users.',
  },
  internal_error: {
    code: ErrorCode.VendorUnavailable,
    retryable: true,
    sentence: 'Slack had an internal error; try again in a moment.',
  },
  fatal_error: {
    code: ErrorCode.VendorUnavailable,
    retryable: true,
    sentence: 'Slack had a server error; try again in a moment.',
  },
  service_unavailable: {
    code: ErrorCode.VendorUnavailable,
    retryable: true,
    sentence: 'Slack is temporarily unavailable; try again in a moment.',
  },
  unknown_method: {
    code: ErrorCode.VendorRejected,
    retryable: false,
    sentence: 'Slack does not know this admin method for your organization (it needs Enterprise Grid).',
  },
  invalid_arguments: {
    code: ErrorCode.VendorRejected,
    retryable: false,
    sentence: 'Slack rejected the arguments of the call; this is a bug in revoke-sessions, please report it.',
  },
};

/** The sentence and classification for a Slack error code; unknown codes get a generic sentence naming the code. */
export function describeSlackError(vendorCode: string, needed?: string): SlackErrorInfo {
  const known = SLACK_ERRORS[vendorCode];
  if (known === undefined) {
    return {
      code: ErrorCode.VendorRejected,
      retryable: false,
      sentence: `Slack refused the call with "${vendorCode.replace(/[^a-z0-9_.]/gi, '')}"; see Slack's method documentation for that code.`,
    };
  }
  if (vendorCode === 'missing_scope' && needed) {
    const scope = needed.replace(/[^a-z0-9_.:,]/gi, '');
    return { ...known, sentence: `${known.sentence} (Slack says it needs: ${scope}.)` };
  }
  return known;
}

/** The error codes this module knows, for tests. */
export const KNOWN_SLACK_ERROR_CODES = Object.keys(SLACK_ERRORS);
