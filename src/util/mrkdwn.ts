import { isSlackUserId } from './input-rules.js';
/**
 * Escapes user-provided text for Slack mrkdwn as Slack documents it: `&`, `<`
 * and `>` become entities, so `<!here>`, `<@U…>`, `<#C…>` and links cannot be
 * injected. Formatting characters (`*`, `_`) are left alone on purpose: they can
 * only restyle the text itself, and altering them would corrupt emails and IDs.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes and truncates a one-line value (names, emails, device strings). */
export function escapeInline(text: string, max = 200): string {
  const oneLine = text.replace(/[\r\n\t]+/g, ' ').trim();
  const cut = oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
  return escapeMrkdwn(cut);
}

/** Quotes multi-line user text as a mrkdwn block quote, escaped. */
export function quoteBlock(text: string, max = 2000): string {
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return cut
    .split(/\r?\n/)
    .map((line) => `>${escapeMrkdwn(line)}`)
    .join('\n');
}

/** A Slack user mention for an ID already validated as `U…`/`W…`; anything else is escaped text. */
export function mention(userId: string): string {
  return isSlackUserId(userId) ? `<@${userId}>` : escapeInline(userId);
}

/** Plain text for `plain_text` fields and notification text: no escaping needed, but bounded. */
export function plain(text: string, max = 150): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
