import type { SlackDirectory, SlackUser } from '../providers/slack-admin/directory.js';
import type { Person } from '../providers/types.js';
import type { TargetRef } from './guards/command-text.js';

export type ResolvedTarget = { ok: true; user: SlackUser; person: Person } | { ok: false; message: string };

/** Why a Slack user cannot be a target, in a sentence; undefined when they can. */
export function refusalFor(user: SlackUser): string | undefined {
  if (user.deleted)
    return `${user.name || user.id} is deactivated in Slack. Their Slack sessions are already gone; to act on other systems, reactivate or use the CLI with their email.`;
  if (user.isBot)
    return `${user.name || user.id} is a bot or app user: bots have tokens, not login sessions. Revoke the app's tokens instead.`;
  if (user.isPrimaryOwner) {
    return `${user.name || user.id} is the Primary Owner: Slack never lets an app reset the Primary Owner's sessions. The owner must sign out everywhere from their own account.`;
  }
  return undefined;
}

function toPerson(user: SlackUser): Person {
  return { slackUserId: user.id, email: user.email, displayName: user.realName ?? user.name };
}

/** Resolves a command target (user ID or email) to a Slack user who may be acted on. */
export async function resolveTarget(directory: SlackDirectory, ref: TargetRef): Promise<ResolvedTarget> {
  const user =
    ref.kind === 'user' ? await directory.getUser(ref.userId) : await directory.findByEmail(ref.email);
  if (!user) {
    return {
      ok: false,
      message:
        ref.kind === 'user'
          ? `Slack has no user ${ref.userId} in this organization.`
          : `No Slack user has the email ${ref.email}. Check the spelling, or use the CLI for people without a Slack account.`,
    };
  }
  const refusal = refusalFor(user);
  if (refusal) return { ok: false, message: refusal };
  return { ok: true, user, person: toPerson(user) };
}
