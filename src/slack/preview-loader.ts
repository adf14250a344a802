import type { WebClient } from '@slack/web-api';
import { resolvePerson } from '../engine/people.js';
import { asRevokeError } from '../errors.js';
import type { RequestViewMetadata } from './blocks/ids.js';
import { type PreviewState, requestModal } from './blocks/request-modal.js';
import type { SlackDeps } from './context.js';
import type { TargetRef } from './guards/command-text.js';
import { slackError } from './post-once.js';

export interface PreviewTarget {
  /** Who is looking (the requester filling in the form): the look is audited, and may be limited to counts. */
  viewerId: string;
  viewId: string;
  hash: string;
  metadata: RequestViewMetadata;
  ref: TargetRef;
  /** Set when the app itself must put the person into the picker (email lookups). */
  setPicker: boolean;
  /** The picker block's current suffix (kept so Slack keeps the user's own choice). */
  pickerSuffix?: string | undefined;
}

/**
 * Resolves the person and fills the modal's preview with each system's
 * sessions via `views.update` (guarded by the view hash, so a newer edit by
 * the user always wins). Runs after the modal is open, never before.
 */
export async function loadPreview(deps: SlackDeps, client: WebClient, target: PreviewTarget): Promise<void> {
  let hash = target.hash;
  let userId = target.ref.kind === 'user' ? target.ref.userId : undefined;
  let suffix = target.pickerSuffix;
  const update = async (preview: PreviewState): Promise<boolean> => {
    const view = requestModal({
      systems: deps.systems,
      metadata: { ...target.metadata, t: userId },
      initialUser: userId,
      targetBlockSuffix: suffix,
      preview,
    });
    try {
      const res = await client.views.update({ view_id: target.viewId, hash, view });
      hash = res.view?.hash ?? hash;
      return true;
    } catch (error) {
      const code = slackError(error);
      if (code === 'hash_conflict') return false; // the user changed the form meanwhile; their newer state wins
      throw error;
    }
  };

  let resolved: Awaited<ReturnType<typeof resolvePerson>>;
  try {
    // The engine's one resolver, with the same refusal rules the request itself will meet.
    resolved = await resolvePerson(deps.directory, target.ref, false);
  } catch (error) {
    await update({
      kind: 'refused',
      message: `Could not look the person up in Slack: ${asRevokeError(error).message}`,
    });
    return;
  }
  if (!resolved.ok || !resolved.user) {
    await update({ kind: 'refused', message: resolved.ok ? 'Not a Slack user.' : resolved.message });
    return;
  }
  userId = resolved.user.id;
  if (target.setPicker) suffix = userId;
  const who = resolved.user.realName || resolved.user.name || resolved.user.id;
  if (target.setPicker && !(await update({ kind: 'loading', what: `Loading ${who}'s sessions…` }))) return;
  const previews = await deps.engine.preview(
    { kind: 'slack', id: target.viewerId },
    // The Slack user just looked up: the Slack system does not look them up again.
    { ...resolved.person, directoryUser: resolved.user },
    deps.systems.map((s) => s.id),
  );
  const repeatOf = await deps.engine.recentRevocation(userId);
  await update({ kind: 'ready', who, previews, repeatOf });
}
