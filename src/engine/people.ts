import type { DirectoryUser, Person } from '../providers/types.js';

export type { DirectoryUser };

import { foldEmail } from '../util/email.js';
import { mapLimit } from '../util/limit.js';

/** Where people are looked up by Slack user ID or email. */
export interface PeopleDirectory {
  getUser(id: string): Promise<DirectoryUser | undefined>;
  findByEmail(email: string): Promise<DirectoryUser | undefined>;
}

/** How a surface names a person: a Slack user ID, or an email. */
export type PersonRef = { kind: 'user'; userId: string } | { kind: 'email'; email: string };

export type ResolvedPerson =
  | { ok: true; person: Person; user?: DirectoryUser | undefined }
  | { ok: false; message: string };

/** Why a directory user cannot be a target, in a sentence; undefined when they can. */
export function refusalFor(user: DirectoryUser): string | undefined {
  if (user.deleted)
    return `${user.name || user.id} is deactivated in Slack. Their Slack sessions are already gone; to act on other systems, use the CLI or the alert API with their email.`;
  if (user.isBot)
    return `${user.name || user.id} is a bot or app user: bots have tokens, not login sessions. Revoke the app's tokens instead.`;
  if (user.isPrimaryOwner) {
    return `${user.name || user.id} is the Primary Owner: Slack never lets an app reset the Primary Owner's sessions. The owner must sign out everywhere from their own account.`;
  }
  return undefined;
}

function toPerson(user: DirectoryUser, email = user.email): Person {
  return { slackUserId: user.id, email, displayName: user.realName ?? user.name };
}

/**
 * The one person resolver, with one set of refusal rules for every surface. A Slack user ID must
 * name a user who can be a target (not deactivated, not a bot, not the Primary Owner). An email is
 * looked up in Slack: a user found there must be a target too — except that a deactivated Slack
 * user named by email may still be acted on in the other systems where `emailOnly` is allowed
 * (alert API, CLI), as the email alone. Without a Slack user, an email is the person only where
 * `emailOnly` is allowed. Directory failures reject (the caller says "could not look up").
 */
export async function resolvePerson(
  directory: PeopleDirectory | undefined,
  ref: PersonRef,
  emailOnly: boolean,
): Promise<ResolvedPerson> {
  if (ref.kind === 'user') {
    if (!directory)
      return {
        ok: false,
        message: `${ref.userId} is a Slack user ID, but no Slack directory is configured.`,
      };
    const user = await directory.getUser(ref.userId);
    if (!user) return { ok: false, message: `Slack has no user ${ref.userId} in this organization.` };
    const refusal = refusalFor(user);
    return refusal ? { ok: false, message: refusal } : { ok: true, person: toPerson(user), user };
  }
  const email = foldEmail(ref.email);
  const user = directory ? await directory.findByEmail(email) : undefined;
  if (!user) {
    if (emailOnly) return { ok: true, person: { email } };
    return {
      ok: false,
      message: `No Slack user has the email ${email}. Check the spelling, or use the CLI for people without a Slack account.`,
    };
  }
  const refusal = refusalFor(user);
  if (refusal && user.deleted && emailOnly) return { ok: true, person: { email } };
  if (refusal) return { ok: false, message: refusal };
  return { ok: true, person: toPerson(user, email), user };
}

/** Resolves many people, at most 8 lookups at a time; a failed lookup refuses that person only. */
export async function resolvePeople(
  directory: PeopleDirectory | undefined,
  refs: PersonRef[],
  emailOnly: boolean,
): Promise<ResolvedPerson[]> {
  return mapLimit(refs, 8, (ref) =>
    resolvePerson(directory, ref, emailOnly).catch(
      (e: unknown): ResolvedPerson => ({
        ok: false,
        message: `${ref.kind === 'user' ? ref.userId : ref.email}: could not look the person up in Slack (${e instanceof Error ? e.message : String(e)})`,
      }),
    ),
  );
}
