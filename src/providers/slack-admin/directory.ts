import { z } from 'zod';
import { ErrorCode, RevokeError } from '../../errors.js';
import { foldEmail, foldEmailOrUndefined, sameEmail } from '../../util/email.js';
import type { DirectoryUser } from '../types.js';
import type { SlackApi } from './client.js';

/** A Slack user as the directory reports it: the directory's person, and their workspaces. */
export interface SlackUser extends DirectoryUser {
  /** The workspaces the user belongs to (Enterprise Grid), else their one team. */
  teamIds: string[];
}

const userSchema = z.object({
  id: z.string(),
  name: z.string().optional().default(''),
  real_name: z.string().optional(),
  deleted: z.boolean().optional().default(false),
  is_bot: z.boolean().optional().default(false),
  is_app_user: z.boolean().optional().default(false),
  is_primary_owner: z.boolean().optional().default(false),
  team_id: z.string().optional(),
  profile: z
    .object({
      email: z.string().optional(),
      real_name: z.string().optional(),
      display_name: z.string().optional(),
    })
    .optional(),
  enterprise_user: z.object({ teams: z.array(z.string()).optional() }).optional(),
});

const userResponse = z.object({ ok: z.literal(true), user: userSchema });
const membersResponse = z.object({ ok: z.literal(true), users: z.array(z.string()) });

function toUser(raw: z.infer<typeof userSchema>): SlackUser {
  const teams = raw.enterprise_user?.teams ?? [];
  return {
    id: raw.id,
    name: raw.profile?.display_name || raw.name,
    realName: raw.real_name ?? raw.profile?.real_name,
    email: foldEmailOrUndefined(raw.profile?.email),
    deleted: raw.deleted,
    isBot: raw.is_bot || raw.is_app_user || raw.id === 'USLACKBOT',
    isPrimaryOwner: raw.is_primary_owner,
    teamIds: teams.length > 0 ? teams : raw.team_id ? [raw.team_id] : [],
  };
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof RevokeError && ['user_not_found', 'users_not_found'].includes(error.vendorCode ?? '')
  );
}

/** Reads Slack's user directory with the bot token: users, emails, user-group members. */
export class SlackDirectory {
  constructor(private readonly api: SlackApi) {}

  /** `users.info`; undefined when Slack has no such user. https://docs.slack.dev/reference/methods/users.info */
  async getUser(userId: string): Promise<SlackUser | undefined> {
    try {
      const res = await this.api.call('users.info', { user: userId }, userResponse);
      return toUser(res.user);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * `users.lookupByEmail`, then an exact comparison ({@link sameEmail}) of the
   * returned profile email: a lookalike address Slack resolves to someone else is refused. https://docs.slack.dev/reference/methods/users.lookupByEmail
   */
  async findByEmail(email: string): Promise<SlackUser | undefined> {
    const wanted = foldEmail(email);
    try {
      const res = await this.api.call('users.lookupByEmail', { email: wanted }, userResponse);
      const user = toUser(res.user);
      if (!sameEmail(user.email, wanted)) {
        throw new RevokeError(
          'Slack returned a user whose email does not match exactly; refusing to act on them.',
          {
            code: ErrorCode.IdentityMismatch,
            system: 'slack',
          },
        );
      }
      return user;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** `usergroups.users.list`. https://docs.slack.dev/reference/methods/usergroups.users.list */
  async groupMembers(groupId: string): Promise<string[]> {
    const res = await this.api.call('usergroups.users.list', { usergroup: groupId }, membersResponse);
    return res.users;
  }
}
