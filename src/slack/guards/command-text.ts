import { foldEmail } from '../../util/email.js';
import { isBareSlackUserId, SLACK_MENTION as MENTION } from '../../util/input-rules.js';
import { escapeMrkdwn } from '../../util/mrkdwn.js';

/** One person named in the command text. */
export type TargetRef = { kind: 'user'; userId: string } | { kind: 'email'; email: string };

/** What `/revoke-sessions <text>` asks for. */
export type CommandIntent =
  | { kind: 'help' }
  | { kind: 'history'; target: TargetRef }
  | { kind: 'status'; requestId: string }
  | { kind: 'open'; targets: TargetRef[] }
  | { kind: 'invalid'; message: string };

const MAILTO = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/i;
const EMAIL = /^[^\s@<>|]+@[^\s@<>|]+\.[^\s@<>|]+$/;
const MAX_TEXT = 2_000;

/** Parses one token; undefined when it is not a person reference. */
function parseToken(token: string): TargetRef | undefined {
  const mention = MENTION.exec(token);
  if (mention?.[1]) return { kind: 'user', userId: mention[1] };
  if (isBareSlackUserId(token)) return { kind: 'user', userId: token };
  const mailto = MAILTO.exec(token);
  const email = mailto?.[1] ?? token;
  if (EMAIL.test(email) && email.length <= 254) return { kind: 'email', email: foldEmail(email) };
  return undefined;
}

/**
 * Parses the slash command's text (sent with `should_escape: true`, so
 * mentions arrive as `<@U…|name>` and emails possibly as `<mailto:…|…>`).
 */
export function parseCommandText(text: string | undefined): CommandIntent {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return { kind: 'open', targets: [] };
  if (trimmed.length > MAX_TEXT)
    return { kind: 'invalid', message: 'That is too much text for one command.' };
  if (/^(help|-h|--help|\?)$/i.test(trimmed)) return { kind: 'help' };
  const sub = /^(history|status)\s+(\S+)$/i.exec(trimmed);
  if (sub?.[1] && sub[2]) {
    if (sub[1].toLowerCase() === 'status') {
      return /^r-[0-9a-z]{6,12}-[0-9a-z]{8}$/.test(sub[2])
        ? { kind: 'status', requestId: sub[2] }
        : {
            kind: 'invalid',
            message: 'Give a request ID such as `r-mk2x9q4f-7h3kq8zp` (it is in every results message).',
          };
    }
    const target = parseToken(sub[2]);
    return target
      ? { kind: 'history', target }
      : { kind: 'invalid', message: 'Give a @mention, user ID or email after `history`.' };
  }
  if (/^(history|status)$/i.test(trimmed)) {
    return {
      kind: 'invalid',
      message: 'Usage: `/revoke-sessions history @person` or `/revoke-sessions status <request-id>`.',
    };
  }
  const tokens = trimmed.split(/[\s,]+/).filter((t) => t !== '');
  const targets: TargetRef[] = [];
  for (const token of tokens) {
    const ref = parseToken(token);
    if (!ref) {
      const shown = token.length > 60 ? `${token.slice(0, 59)}…` : token;
      const hint = token.startsWith('@')
        ? 'pick the person from the autocomplete so Slack sends their ID, or give their email'
        : 'give a @mention, a user ID (U…/W…) or an email address';
      return {
        kind: 'invalid',
        message: `I couldn't read “${escapeMrkdwn(shown)}” as a person: ${hint}. Try \`/revoke-sessions help\`.`,
      };
    }
    const key = ref.kind === 'user' ? ref.userId : ref.email;
    if (!targets.some((t) => (t.kind === 'user' ? t.userId : t.email) === key)) targets.push(ref);
  }
  return { kind: 'open', targets };
}
