import type { WebClient } from '@slack/web-api';
import type { SystemPreview } from '../engine/plan.js';
import type { RevocationRequest, ThreadRef } from '../engine/types.js';
import type { Delivery } from '../runtime/outbox-worker.js';
import { previewLine } from './blocks/request-modal.js';
import { parentMessage } from './blocks/results.js';
import type { SlackDeps } from './context.js';
import { destinations, postOnce } from './post-once.js';
import { tellUser } from './tell-user.js';

/** The preview the approver sees: one line per system (sessions, or why not). */
export function approverPreview(previews: SystemPreview[]): string | undefined {
  if (previews.length === 0) return undefined;
  return `*What the systems report now*\n${previews.map(previewLine).join('\n')}`;
}

/**
 * Posts the approval card (approval channel, else invoking channel, else the requester's DM) and
 * answers where it is, or undefined when no channel accepted it (nobody could decide the request
 * then). The card shows the request's stored plan: exactly what the approver approves. Delivered
 * by the outbox (see effects.ts), which records where it went.
 */
export async function approvalCard(
  deps: SlackDeps,
  client: WebClient,
  request: RevocationRequest,
  delivery: Delivery,
): Promise<ThreadRef | undefined> {
  // With chosen sessions the card lists exactly those (its own block), not everything listed.
  const preview = request.selection ? undefined : approverPreview(request.plan?.preview ?? []);
  const card = parentMessage(request, [], deps.labels, { buttons: true, preview });
  const ref = await postOnce(
    client,
    deps.logger,
    delivery,
    { channels: destinations(request, deps.config.approvalChannel) },
    card,
  );
  if (!ref) deps.logger.error(`request ${request.id}: no channel accepted the approval card`);
  return ref;
}

/** Redraws a card without buttons after a decision or expiry. */
export async function resolveCard(
  deps: SlackDeps,
  client: WebClient,
  request: RevocationRequest,
): Promise<void> {
  if (!request.approvalCard) return;
  const steps = await deps.engine.steps(request.id);
  const message = parentMessage(request, steps, deps.labels);
  await client.chat.update({
    channel: request.approvalCard.channel,
    ts: request.approvalCard.ts,
    text: message.text,
    blocks: message.blocks,
  });
}

/** Tells the requester what happened to their request. */
export async function tellRequester(
  deps: SlackDeps,
  client: WebClient,
  request: RevocationRequest,
  text: string,
): Promise<void> {
  if (request.requester.kind !== 'slack') return;
  await tellUser(client, deps.logger, request.requester.id, request.origin?.channelId, text);
}
