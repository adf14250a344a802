import type { WebClient } from '@slack/web-api';
import { EFFECT, type NoteAbout } from '../engine/effects.js';
import type { RevocationRequest, ThreadRef } from '../engine/types.js';
import { type Delivery, type EffectHandler, PermanentEffectError } from '../runtime/outbox-worker.js';
import { escapeInline } from '../util/mrkdwn.js';
import { approvalCard, resolveCard, tellRequester } from './approval-flow.js';
import { decidedByText, personText } from './blocks/results.js';
import type { SlackDeps } from './context.js';
import { followUpEffectHandlers } from './follow-up-effects.js';
import { homeEffectHandlers } from './home/home-effects.js';
import { tellUser } from './tell-user.js';
import { threadEffectHandlers } from './thread-effects.js';
import { completeWorkflow, endStep } from './workflow-completion.js';

/** Who decided the request, as the card says it. */
const decider = (request: RevocationRequest): string => decidedByText(request.decidedBy ?? 'someone');

/** A Slack date for when a form was submitted (the reader's time zone). */
function submittedAt(iso: unknown): string {
  const at = Date.parse(String(iso));
  return Number.isNaN(at)
    ? 'earlier'
    : `<!date^${Math.floor(at / 1000)}^{date_short_pretty} at {time}|${String(iso)}>`;
}

/** Said of a form that was acknowledged but recorded (or refused) only after a restart. */
const interrupted = (iso: unknown) =>
  `The revocation form you submitted ${submittedAt(iso)} was accepted, but the app restarted (or failed) before recording it`;

/** What the requester is told, per event; rendered from the store at delivery (never stale). */
function noteText(
  request: RevocationRequest,
  about: NoteAbout,
  payload: Record<string, unknown>,
): string | undefined {
  const id = `\`${request.id}\``;
  switch (about) {
    case 'recorded_late':
      return `${interrupted(payload.submittedAt)}; it is recorded now as request ${id} for ${personText(request)}.`;
    case 'left_out': {
      const people = Array.isArray(payload.people)
        ? payload.people.map((p) => escapeInline(String(p), 200))
        : [];
      const more =
        Number(payload.count) > people.length ? ` (and ${Number(payload.count) - people.length} more)` : '';
      return `Left out of request ${id} (${Number(payload.count) || people.length}): ${people.join(' · ')}${more}`.slice(
        0,
        3000,
      );
    }
    case 'needs_approval': {
      const card = request.approvalCard;
      if (!card) return undefined;
      const where = card.channel.startsWith('D') ? 'your DMs with the app' : `<#${card.channel}>`;
      const why = request.plan?.approvalReason;
      return `Your request ${id} to revoke sessions for ${personText(request)} needs approval${why ? ` (${escapeInline(why)})` : ''}; it was posted in ${where}. Nothing has been revoked yet.`;
    }
    case 'approved':
      return `Your request ${id} was approved by ${decider(request)}. Results follow in the thread.`;
    case 'denied':
      return `Your request ${id} was denied by ${decider(request)}. Nothing was revoked.`;
    case 'expired':
      return `Your request ${id} expired without a decision; nothing was revoked.`;
    case 'withdrawn':
      return `Your request ${id} could not be posted for approval (invite the app to the approval channel), so it was closed; nothing was revoked.`;
  }
}

/**
 * The Slack presenter of the outbox: one handler per effect kind the engine writes. Each renders
 * from the store at delivery and is safe to run again: a posted message's `ts` is saved the moment
 * Slack answers (and a retry of a delivery killed before that looks for the message first), so a
 * retry never posts a second card, parent or reply.
 */
export function slackEffectHandlers(deps: SlackDeps, client: () => WebClient): Record<string, EffectHandler> {
  const requestOf = async (d: Delivery): Promise<RevocationRequest> => {
    const id = d.effect.requestId;
    const request = id ? await deps.engine.request(id) : undefined;
    if (!request) throw new PermanentEffectError(`request ${id ?? '(none)'} is not in the store`);
    return request;
  };
  return {
    ...threadEffectHandlers(deps, client, requestOf),
    ...followUpEffectHandlers(deps, client, requestOf),
    ...homeEffectHandlers(deps, client, requestOf),
    [EFFECT.approvalCard]: async (d) => {
      const request = await requestOf(d);
      if (request.approvalCard) return; // posted and recorded by an earlier attempt
      const saved = d.effect.progress?.posted as ThreadRef | undefined;
      if (saved) {
        await deps.engine.cardPosted(request.id, saved);
        return;
      }
      // Decided (or withdrawn) before the card went out: there is nothing left to approve.
      if (request.status !== 'pending_approval') return;
      const posted = await approvalCard(deps, client(), request, d);
      if (!posted) {
        await deps.engine.withdraw(request.id, 'the approval card could not be posted in any channel');
        return;
      }
      await deps.engine.cardPosted(request.id, posted);
    },
    [EFFECT.cardRedraw]: async (d) => {
      await resolveCard(deps, client(), await requestOf(d));
    },
    [EFFECT.requesterNote]: async (d) => {
      const request = await requestOf(d);
      const text = noteText(request, d.effect.payload.about as NoteAbout, d.effect.payload);
      if (text) await tellRequester(deps, client(), request, text);
    },
    [EFFECT.intakeRefused]: async (d) => {
      const p = d.effect.payload;
      if (typeof p.execution === 'string') {
        // A workflow step's submission: the step fails with the reason, by its own token.
        const token = await deps.engine.journaledStepToken(String(p.intake));
        if (!token) throw new PermanentEffectError('the workflow step token is no longer journaled');
        await endStep(deps.config.slack.apiUrl, token, p.execution, {
          error: `Nothing was revoked: ${String(p.message)}`,
        });
        return;
      }
      const why = escapeInline(String(p.message ?? ''), 2700);
      const text = p.replayed
        ? `${interrupted(p.submittedAt)}; it cannot be recorded: ${why} Nothing was revoked.`
        : `Nothing was revoked: ${why}`;
      await tellUser(
        client(),
        deps.logger,
        String(p.user),
        typeof p.channel === 'string' ? p.channel : undefined,
        text,
      );
    },
    [EFFECT.workflowEnd]: async (d) => {
      const request = await requestOf(d);
      await completeWorkflow(
        { engine: deps.engine, logger: deps.logger, apiUrl: deps.config.slack.apiUrl },
        request,
        await deps.engine.steps(request.id),
      );
    },
  };
}
