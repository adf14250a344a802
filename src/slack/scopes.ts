/**
 * The OAuth scopes the app asks for (manifest.yml declares the same; a test holds them together, and
 * `doctor` checks a token has them).
 */
export const BOT_SCOPES = [
  'commands',
  'chat:write',
  'users:read',
  'users:read.email',
  'usergroups:read',
  // A post retried after a crash first looks for the message it may have posted.
  'channels:history',
  'groups:history',
  'im:history',
  // Download evidence: the signed JSON is uploaded to the results thread (files.uploadV2).
  'files:write',
] as const;

/** The org admin's user token (SLACK_ADMIN_TOKEN): session listing and revocation. */
export const ADMIN_SCOPES = ['admin.users:read', 'admin.users:write'] as const;
