import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { chosenSessions, previewPerson } from '../../../engine/plan.js';
import { asRevokeError } from '../../../errors.js';
import { mapLimit } from '../../../util/limit.js';
import { escapeInline } from '../../../util/mrkdwn.js';
import { postApprovalCard, withdrawUnposted } from '../../approval-flow.js';
import { decodeMetadata, IDS } from '../../blocks/ids.js';
import { isRequester, NOT_ALLOWED_TEXT, type SlackDeps, systemIds } from '../../context.js';
import { parseRequestView, type RequestForm } from '../../guards/request-view.js';
import { type ResolvedTarget, resolveTarget } from '../../targets.js';
import { tellUser } from '../../tell-user.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

export const PREVIEW_MISMATCH_TEXT =
  'The sessions on this form were listed for someone else. Choose the person again and wait for their sessions to load.';

/**
 * The modal was submitted: validate (errors go back into the modal), ack so
 * the modal closes, then record the request and either post it for approval
 * or run it, posting the thread.
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
    if (!(await isRequester(deps, userId))) {
      await ack({ response_action: 'errors', errors: { [targetBlock]: NOT_ALLOWED_TEXT } });
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
    deps.background.run('revocation', () =>
      submitAndRun(deps, client, userId, channelId, view.id, parsed.form),
    );
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
  let target: Awaited<ReturnType<typeof resolveTarget>>;
  try {
    target = await resolveTarget(deps.directory, { kind: 'user', userId: form.targetUserId });
  } catch (error) {
    await tellUser(
      client,
      deps.logger,
      userId,
      channelId,
      `Nothing was revoked: I could not look the person up in Slack (${escapeInline(asRevokeError(error).message)}). Try again.`,
    );
    return;
  }
  if (!target.ok && form.additionalUserIds.length === 0) {
    await tellUser(
      client,
      deps.logger,
      userId,
      channelId,
      `Nothing was revoked: ${escapeInline(target.message)}`,
    );
    return;
  }
  // Bulk: everyone else is checked the same way; refused people are left out and named.
  const others = await mapLimit(form.additionalUserIds, 8, (id) =>
    resolveTarget(deps.directory, { kind: 'user', userId: id }).catch(
      (e: unknown): ResolvedTarget => ({ ok: false, message: `${id}: ${asRevokeError(e).message}` }),
    ),
  );
  const accepted = [target, ...others].flatMap((t) => (t.ok ? [t.person] : []));
  const refused = [target, ...others].flatMap((t) => (t.ok ? [] : [t.message]));
  const [primary, ...rest] = accepted;
  if (!primary) {
    await tellUser(
      client,
      deps.logger,
      userId,
      channelId,
      `Nothing was revoked: ${escapeInline(refused.join(' '))}`,
    );
    return;
  }
  if (refused.length > 0) {
    await tellUser(
      client,
      deps.logger,
      userId,
      channelId,
      `Left out of the request (${refused.length}): ${refused.map((m) => escapeInline(m, 200)).join(' · ')}`.slice(
        0,
        3000,
      ),
    );
  }
  const why = await deps.approvals.approvalReason('slash_command', ...accepted);
  // Chosen sessions: listed again for this person now; the plan keeps the ones they own, with
  // their details (what the approver sees), and the others are on record as refused.
  const previews =
    form.selection || why !== undefined
      ? rest.length > 0
        ? []
        : await previewPerson(deps.engine.providers, form.systems, primary)
      : [];
  const planned = form.selection ? chosenSessions(previews, form.selection) : undefined;
  const notOwned = Object.entries(planned?.refused ?? {});
  const { request, created } = await deps.engine.submit(
    {
      source: 'slash_command',
      requester: { kind: 'slack', id: userId },
      target: primary,
      additionalTargets: rest.length > 0 ? rest : undefined,
      systems: form.systems,
      slackScope: form.scope,
      selection: form.selection,
      reason: form.reason,
      origin: { channelId },
      plan: planned ? { chosenSessions: planned.chosen } : undefined,
    },
    {
      needsApproval: why !== undefined,
      approvalReason: why,
      ttlMs: deps.config.approvalTtlMs,
      idempotencyKey: `view:${viewId}`,
      alsoAudit: notOwned.map(([system, sessionIds]) => ({
        action: 'session_not_owned',
        data: { system, sessionIds, target: primary.slackUserId ?? null, phase: 'request' },
      })),
    },
  );
  if (!created) return; // the same submission arrived twice
  if (request.status === 'pending_approval') {
    // With chosen sessions, the card lists exactly those (from the plan) instead of everything listed.
    const posted = await postApprovalCard(deps, client, request, form.selection ? [] : previews);
    if (!posted) await withdrawUnposted(deps, client, request);
    return;
  }
  await deps.engine.run(request.id, deps.observerFor(request));
}
