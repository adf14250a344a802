import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { laneOf } from '../../../providers/budget/index.js';
import { escapeInline } from '../../../util/mrkdwn.js';
import { decodeMetadata, IDS } from '../../blocks/ids.js';
import { requesterRefusal, type SlackDeps, startRun, systemIds } from '../../context.js';
import { parseRequestView, type RequestForm } from '../../guards/request-view.js';
import { tellUser } from '../../tell-user.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Where a request from the form comes from (its lane depends on it). */
const SOURCE = 'slash_command';

export const PREVIEW_MISMATCH_TEXT =
  'The sessions on this form were listed for someone else. Choose the person again and wait for their sessions to load.';

/**
 * The modal was submitted: validate (errors go back into the modal), ack so
 * the modal closes, then (through the queue) record the request and either post
 * it for approval or queue its run, which posts the thread.
 */
export function revokeRequestSubmission(deps: SlackDeps) {
  return async ({ ack, body, view, client }: Args): Promise<void> => {
    const userId = body.user.id;
    const parsed = parseRequestView(view.state.values, systemIds(deps));
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    const targetBlock =
      Object.keys(view.state.values).find((b) => b.startsWith(IDS.targetBlock)) ?? IDS.targetBlock;
    const refusal = await requesterRefusal(deps, userId);
    if (refusal) {
      await ack({ response_action: 'errors', errors: { [targetBlock]: refusal.text } });
      return;
    }
    const metadata = decodeMetadata(view.private_metadata);
    // The sessions on the form were listed for the person in the metadata: a form naming someone
    // else (or chosen sessions with no preview behind them) is refused, never run for another person.
    if (
      (metadata.t !== undefined && metadata.t !== parsed.form.targetUserId) ||
      (metadata.t === undefined && parsed.form.selection)
    ) {
      await ack({ response_action: 'errors', errors: { [targetBlock]: PREVIEW_MISMATCH_TEXT } });
      return;
    }
    await ack();
    const channelId = metadata.c;
    // Never refused by the queue (a revocation is never dropped); it waits ahead of any preview. A
    // bulk's recording looks everyone up within its vendor budgets, minutes at Slack's tiers: it
    // takes a bulk run slot (its lane is the one its lookups are in), so it never holds up the
    // forms, and never the run slots kept for one-person requests.
    const lane = laneOf({ source: SOURCE, people: 1 + parsed.form.additionalUserIds.length });
    deps.background.enqueue({
      kind: 'request.submit',
      lane: lane === 'bulk' ? 'bulk' : 'interactive',
      task: () => submitAndRun(deps, client, userId, channelId, view.id, parsed.form),
    });
  };
}

async function submitAndRun(
  deps: SlackDeps,
  client: WebClient,
  userId: string,
  channelId: string | undefined,
  viewId: string,
  form: RequestForm,
): Promise<void> {
  const tell = (text: string) => tellUser(client, deps.logger, userId, channelId, text);
  const asked = await deps.engine.ask({
    source: SOURCE,
    requester: { kind: 'slack', id: userId },
    people: [form.targetUserId, ...form.additionalUserIds].map((id) => ({ kind: 'user', userId: id })),
    systems: form.systems,
    slackScope: form.scope,
    selection: form.selection,
    reason: form.reason,
    origin: { channelId },
    idempotencyKey: `view:${viewId}`,
  });
  if (!asked.ok) {
    await tell(`Nothing was revoked: ${escapeInline(asked.message, 2900)}`);
    return;
  }
  if (asked.refusedPeople.length > 0) {
    const names = asked.refusedPeople.map((m) => escapeInline(m, 200)).join(' · ');
    await tell(`Left out of the request (${asked.refusedPeople.length}): ${names}`.slice(0, 3000));
  }
  if (!asked.created) return; // the same submission arrived twice
  const { request } = asked;
  // Waiting for an approver: its card is an outbox effect of the request's own write.
  if (asked.next === 'approve') return;
  startRun(deps, request);
}
