/**
 * The rules every surface applies to the same inputs, written once: a Slack user ID, a reason, the
 * systems asked for. The form, the command, the workflow step, the alert API, the CLI and the
 * stored-metadata checks all use these.
 */

/** The pattern body of a Slack user ID (`U…` or `W…` for Enterprise Grid), without anchors. */
const USER_ID = '[UW][A-Z0-9]{2,20}';

/** A whole Slack user ID. */
export const SLACK_USER_ID = new RegExp(`^${USER_ID}$`);

/** A user mention as Slack escapes it in command text: `<@U123>` or `<@U123|name>`. */
export const SLACK_MENTION = new RegExp(`^<@(${USER_ID})(?:\\|[^>]*)?>$`);

/** Whether a string is a Slack user ID. */
export const isSlackUserId = (value: string): boolean => SLACK_USER_ID.test(value);

/**
 * Whether a bare word of command text names a user by ID: an ID at least as long as Slack's
 * shortest (7 characters), so words such as `US` or `UK2` stay words.
 */
export const isBareSlackUserId = (word: string): boolean => word.length >= 7 && isSlackUserId(word);

/** The longest reason a request may carry (characters, after trimming). */
export const MAX_REASON_CHARS = 1_000;

/** The systems asked for that this server does not have configured (in the order asked). */
export function unconfigured<T extends string>(asked: readonly string[], configured: readonly T[]): string[] {
  return asked.filter((s) => !(configured as readonly string[]).includes(s));
}

/** The sentence for systems asked for that are not configured here. */
export function notConfiguredText(missing: readonly string[], configured: readonly string[]): string {
  return `Systems not configured here: ${missing.join(', ') || 'none given'}. Configured: ${configured.join(', ') || 'none'}.`;
}
