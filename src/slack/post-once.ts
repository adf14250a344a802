import type { WebClient } from '@slack/web-api';
import type { RevocationRequest, ThreadRef } from '../engine/types.js';
import type { Logger } from '../log.js';
import { type Delivery, EffectTakenOver } from '../runtime/outbox-worker.js';

/** The message metadata type every message the outbox posts carries, with its effect's key. */
export const EFFECT_EVENT = 'revoke_sessions_effect';

/** Errors after which the next destination is tried (the bot is not in the channel, or cannot post there). */
const FALLBACK_ERRORS = ['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action'];
/** Errors that mean a channel's history cannot be read (a scope not granted, not a member): post anyway. */
const CANNOT_LOOK = ['missing_scope', 'not_in_channel', 'channel_not_found', 'not_allowed_token_type'];
/**
 * History pages read at most, and messages a page, when looking for an earlier attempt's message.
 * Slack allows apps outside its Marketplace one history (or replies) call a minute and 15 messages
 * a page: a look happens only after a delivery died while posting, and reads the little time since.
 */
const MAX_PAGES = 3;
const PAGE = 15;
/** How far before the interrupted post its message is looked for (clocks of Slack and the replicas differ). */
const SKEW_S = 120;

export const slackError = (error: unknown): string | undefined =>
  (error as { data?: { error?: string } }).data?.error;

/** Where a request's messages go, in order of preference: approval channel, invoking channel, requester's DM. */
export function destinations(request: RevocationRequest, approvalChannel: string | undefined): string[] {
  const channels = [approvalChannel ?? request.origin?.channelId];
  if (request.requester.kind === 'slack') channels.push(request.requester.id);
  return channels.filter((c): c is string => typeof c === 'string' && c !== '');
}

export interface Message {
  text: string;
  blocks: unknown[];
}

/** Where a message goes: the first of `channels` that accepts it, in the thread `threadTs` when given. */
export interface Target {
  channels: string[];
  threadTs?: string | undefined;
}

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: { key?: unknown } };
}

/**
 * Looks for a message an earlier attempt of this effect posted (it carries the effect's key as
 * metadata): a delivery killed after Slack took the message but before its `ts` was saved finds it
 * here instead of posting a second. Direct messages (a user ID as channel) cannot be read back;
 * neither can a channel whose history the app may not read — then it answers undefined, and the
 * message may be posted twice (logged).
 */
async function findPosted(
  client: WebClient,
  logger: Logger,
  target: Target,
  key: string,
  since: string,
): Promise<ThreadRef | undefined> {
  const oldest = String(Math.floor(Date.parse(since) / 1000) - SKEW_S);
  for (const channel of target.channels) {
    if (/^[UW]/.test(channel)) continue;
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const args = { channel, oldest, cursor, limit: PAGE, include_all_metadata: true };
        const res = target.threadTs
          ? await client.conversations.replies({ ...args, ts: target.threadTs })
          : await client.conversations.history(args);
        const messages = (res.messages ?? []) as HistoryMessage[];
        const mine = messages.find(
          (m) => m.metadata?.event_type === EFFECT_EVENT && m.metadata.event_payload?.key === key,
        );
        if (mine?.ts) return { channel, ts: mine.ts };
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
    } catch (error) {
      const code = slackError(error);
      if (!code || !CANNOT_LOOK.includes(code)) throw error;
      logger.warn(
        `cannot read ${channel} to check whether ${key} was posted already (${code}); posting it — it may show twice`,
      );
    }
  }
  return undefined;
}

/** Posts to the first channel that accepts the message, marked with `key`; undefined when none does. */
async function postToFirst(
  client: WebClient,
  logger: Logger,
  target: Target,
  message: Message,
  key: string,
): Promise<ThreadRef | undefined> {
  for (const channel of target.channels) {
    try {
      const res = await client.chat.postMessage({
        channel,
        ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
        text: message.text,
        blocks: message.blocks as never,
        unfurl_links: false,
        metadata: { event_type: EFFECT_EVENT, event_payload: { key } },
      });
      if (res.channel && res.ts) return { channel: res.channel, ts: res.ts };
    } catch (error) {
      const code = slackError(error);
      if (!code || !FALLBACK_ERRORS.includes(code)) throw error;
      logger.warn(`cannot post in ${channel} (${code}); trying the next destination`);
    }
  }
  return undefined;
}

/**
 * Posts an effect's message once. The time the post begins is saved with the effect, and the `ts`
 * Slack answers the moment it arrives, so a retry never posts again; a retry of a delivery that died
 * between the two first looks in the channel for the message (see {@link findPosted}); and a
 * deliverer that was paused past its claim while posting deletes its copy (the one that took the
 * effect over shows it). Answers where the message is, or undefined when no destination accepted it.
 */
export async function postOnce(
  client: WebClient,
  logger: Logger,
  delivery: Delivery,
  target: Target,
  message: Message,
): Promise<ThreadRef | undefined> {
  const { effect } = delivery;
  const saved = effect.progress?.posted as ThreadRef | undefined;
  if (saved) return saved;
  // An earlier attempt that began posting may have been killed after Slack took the message.
  const began = effect.progress?.posting;
  const found =
    typeof began === 'string' ? await findPosted(client, logger, target, effect.key, began) : undefined;
  if (found) {
    await delivery.saveProgress({ posted: found });
    return found;
  }
  await delivery.saveProgress({ posting: new Date().toISOString() });
  const posted = await postToFirst(client, logger, target, message, effect.key);
  if (!posted) return undefined;
  try {
    await delivery.saveProgress({ posted });
  } catch (error) {
    // Paused while posting, past its claim: the deliverer that took the effect over posts (or found)
    // the message itself, so this one is a second copy — taken back. (A store error keeps it: a
    // retry of this delivery finds it by its key.)
    if (error instanceof EffectTakenOver) {
      await client.chat.delete({ channel: posted.channel, ts: posted.ts }).catch((e: unknown) => {
        logger.warn(`could not take back a second copy of ${effect.key}:`, slackError(e) ?? e);
      });
    }
    throw error;
  }
  return posted;
}
