import type { WebClient } from '@slack/web-api';
import { requestModal } from './blocks/request-modal.js';
import { BUSY_TEXT, requesterRefusal, type SlackDeps, TRIGGER_BUDGET_MS } from './context.js';
import type { TargetRef } from './guards/command-text.js';
import { loadPreview } from './preview-loader.js';
import { tellUser } from './tell-user.js';

/** Where and for whom the revocation form opens (the command, the Home's button, the shortcuts). */
export interface FormOpening {
  userId: string;
  triggerId: string;
  /** The channel the form was opened from (its results and replies go there), if any. */
  channelId: string | undefined;
  /** When Slack's request arrived (see arrivalOf): the trigger expires 3 s after. */
  receivedAt: number;
  /** The people named already: the first is the form's person, the others its further people. */
  targets: readonly TargetRef[];
  /** How the person is told the app was too busy to open the form in time. */
  onBusy: (text: string) => Promise<void>;
}

/**
 * Queues the revocation form's opening (urgent: its trigger expires; when the queue cannot start
 * it in time the person is told the app is busy instead) and, once it is open with a person
 * named, the lookups for the preview (low). The one way every surface opens the form.
 */
export function openRequestForm(deps: SlackDeps, client: WebClient, o: FormOpening): void {
  const ref = o.targets[0];
  const initialUser = ref?.kind === 'user' ? ref.userId : undefined;
  const metadata = { c: o.channelId, t: initialUser };
  deps.background.enqueue({
    kind: 'command.open',
    deadline: o.receivedAt + TRIGGER_BUDGET_MS,
    onRefused: () => o.onBusy(BUSY_TEXT),
    task: async () => {
      const opened = await client.views.open({
        trigger_id: o.triggerId,
        view: requestModal({
          systems: deps.systems,
          metadata,
          initialUser,
          moreUsers: o.targets.slice(1).flatMap((t) => (t.kind === 'user' ? [t.userId] : [])),
          preview: ref
            ? {
                kind: 'loading',
                what: ref.kind === 'email' ? `Looking up ${ref.email}…` : 'Loading sessions…',
              }
            : { kind: 'none' },
        }),
      });
      const viewId = opened.view?.id;
      const hash = opened.view?.hash;
      if (!ref || !viewId || !hash) return;
      deps.background.enqueue({
        kind: 'preview',
        priority: 'low',
        task: () =>
          loadPreview(deps, client, {
            viewerId: o.userId,
            viewId,
            hash,
            metadata,
            ref,
            setPicker: ref.kind === 'email',
          }),
      });
    },
  });
}

/**
 * {@link openRequestForm} for a surface that acked already (the Home's button, the shortcuts):
 * the requester check first, as the command makes it; a refusal is told privately and audited.
 */
export async function openFormIfRequester(
  deps: SlackDeps,
  client: WebClient,
  o: Omit<FormOpening, 'onBusy'>,
  via: string,
): Promise<void> {
  const tell = (text: string) => tellUser(client, deps.logger, o.userId, o.channelId, text);
  const refusal = await requesterRefusal(deps, o.userId);
  if (refusal) {
    await tell(refusal.text);
    await deps.engine.refused({ kind: 'slack', id: o.userId }, refusal.why, via);
    return;
  }
  openRequestForm(deps, client, { ...o, onBusy: tell });
}
