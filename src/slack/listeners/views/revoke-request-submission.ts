import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { JournaledAsk } from '../../../engine/engine.js';
import { decodeMetadata, IDS } from '../../blocks/ids.js';
import { requesterRefusal, type SlackDeps, systemIds } from '../../context.js';
import { parseRequestView, type RequestForm } from '../../guards/request-view.js';
import { queueRecording } from '../../journaled.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Where a request from the form comes from (its lane depends on it). */
const SOURCE = 'slash_command';

export const PREVIEW_MISMATCH_TEXT =
  'The sessions on this form were listed for someone else. Choose the person again and wait for their sessions to load.';

/** Said in the form when it could not be journaled: it is not acknowledged, so nothing is started. */
export const NOT_JOURNALED_TEXT =
  'The request could not be recorded right now, so nothing was started. Try again in a moment.';

/**
 * The modal was submitted: validate (errors go back into the modal), journal the submission (the
 * engine's intake journal: an acknowledged form is never lost), ack so the modal closes, then
 * (through the queue) record the request and either post it for approval or queue its run, which
 * posts the thread. A form that cannot be journaled is answered with an error, never acked.
 */
export function revokeRequestSubmission(deps: SlackDeps) {
  return async ({ ack, body, view }: Args): Promise<void> => {
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
    // Journaled before the ack (one insert, milliseconds): a crash after the ack no longer loses
    // the form, the housekeeping round records it. Not journaled: an error, never "accepted". (A
    // write slower than Slack's 3 s shows Slack's own error; the form is still recorded, and a
    // second submission of the same form is the same entry.)
    const ask = formAsk(userId, metadata.c, view.id, parsed.form);
    const journaled = await deps.engine.receive(ask).then(
      (entry) => ({ entry }),
      (error: unknown) => {
        deps.logger.error(`a submitted form (${ask.idempotencyKey}) could not be journaled:`, error);
        return undefined;
      },
    );
    if (!journaled) {
      await ack({ response_action: 'errors', errors: { [targetBlock]: NOT_JOURNALED_TEXT } });
      return;
    }
    try {
      await ack();
    } finally {
      // Undefined: the same form again, already journaled (its first submission records it).
      if (journaled.entry) queueRecording(deps, journaled.entry);
    }
  };
}

/** What the form asks for, in the engine's terms; its idempotency key is the view's. */
function formAsk(
  userId: string,
  channelId: string | undefined,
  viewId: string,
  form: RequestForm,
): JournaledAsk {
  return {
    source: SOURCE,
    requester: { kind: 'slack', id: userId },
    people: [form.targetUserId, ...form.additionalUserIds].map((id) => ({ kind: 'user', userId: id })),
    systems: form.systems,
    slackScope: form.scope,
    selection: form.selection,
    reason: form.reason,
    origin: { channelId },
    idempotencyKey: `view:${viewId}`,
  };
}
