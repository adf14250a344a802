import type { WebClient } from '@slack/web-api';
import type { SystemPreview } from '../engine/plan.js';
import type { RevocationRequest } from '../engine/types.js';
import { escapeInline } from '../util/mrkdwn.js';
import { previewLine } from './blocks/request-modal.js';
import { parentMessage, personText } from './blocks/results.js';
import type { SlackDeps } from './context.js';
import { tellUser } from './tell-user.js';
import { destinations, postToFirstChannel } from './thread-notifier.js';
import { completeWorkflow } from './workflow-completion.js';

/** The preview the approver sees: one line per system (sessions, or why not). */
export function approverPreview(previews: SystemPreview[]): string | undefined {
  if (previews.length === 0) return undefined;
  return `*What the systems report now*\n${previews.map(previewLine).join('\n')}`;
}

/**
 * Posts the approval card (approval channel, else invoking channel, else the requester's DM) and
 * stores where it is. The card shows the request's stored plan: exactly what the approver
 * approves. Returns false when no channel accepted it (nobody can decide the request then).
 */
export async function postApprovalCard(
  deps: SlackDeps,
  client: WebClient,
  request: RevocationRequest,
): Promise<boolean> {
  // With chosen sessions the card lists exactly those (its own block), not everything listed.
  const preview = request.selection ? undefined : approverPreview(request.plan?.preview ?? []);
  const card = parentMessage(request, [], deps.labels, { buttons: true, preview });
  const ref = await postToFirstChannel(
    client,
    deps.logger,
    destinations(request, deps.config.approvalChannel),
    card,
  );
  if (!ref) {
    deps.logger.error(`request ${request.id}: no channel accepted the approval card`);
    return false;
  }
  await deps.store.updateRequest(request.id, { approvalCard: ref }, deps.now().toISOString());
  if (request.requester.kind === 'slack') {
    const where = ref.channel.startsWith('D') ? 'your DMs with the app' : `<#${ref.channel}>`;
    const why = request.plan?.approvalReason;
    await tellUser(
      client,
      deps.logger,
      request.requester.id,
      request.origin?.channelId,
      `Your request \`${request.id}\` to revoke sessions for ${personText(request)} needs approval${why ? ` (${escapeInline(why)})` : ''}; it was posted in ${where}. Nothing has been revoked yet.`,
    );
  }
  return true;
}

/** The card could not be posted: the request is closed (nobody could approve it) and the requester told. */
export async function withdrawUnposted(
  deps: SlackDeps,
  client: WebClient,
  request: RevocationRequest,
): Promise<void> {
  await deps.engine.withdraw(request.id, 'the approval card could not be posted in any channel');
  await tellRequester(
    deps,
    client,
    request,
    `Your request \`${request.id}\` could not be posted for approval (invite the app to the approval channel), so it was closed; nothing was revoked.`,
  );
}

/** Redraws a card without buttons after a decision or expiry. */
export async function resolveCard(
  deps: SlackDeps,
  client: WebClient,
  request: RevocationRequest,
): Promise<void> {
  if (!request.approvalCard) return;
  const steps = await deps.store.listSteps(request.id);
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

/** Marks lapsed approvals expired, redraws their cards and tells the requesters. */
export async function sweepExpired(deps: SlackDeps, client: WebClient): Promise<void> {
  for (const request of await deps.engine.expireDue()) {
    await resolveCard(deps, client, request).catch((e: unknown) =>
      deps.logger.warn('could not redraw an expired card:', e),
    );
    await tellRequester(
      deps,
      client,
      request,
      `Your request \`${request.id}\` expired without a decision; nothing was revoked.`,
    );
    await failWorkflowIfWaiting(deps, request);
  }
}

/** Fails a waiting Workflow Builder step after a denial or expiry (exactly once; never throws). */
export async function failWorkflowIfWaiting(deps: SlackDeps, request: RevocationRequest): Promise<void> {
  if (!request.workflow || request.workflow.completedAt) return;
  await completeWorkflow(
    { store: deps.store, logger: deps.logger, apiUrl: deps.config.slack.apiUrl, now: deps.now },
    request,
    await deps.store.listSteps(request.id),
  ).catch((e: unknown) => deps.logger.warn(`request ${request.id}: could not end the workflow step:`, e));
}
