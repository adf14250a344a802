import { z } from 'zod';
import { RevokeError } from '../../errors.js';
import type { Account, Session } from '../types.js';
import type { GoogleClient } from './client.js';

const token = z.object({
  clientId: z.string().min(1),
  displayText: z.string().optional(),
  userKey: z.string().optional(),
  nativeApp: z.boolean().optional(),
  anonymous: z.boolean().optional(),
  scopes: z.array(z.string()).optional(),
});
/** Google leaves `items` out when the user has granted no app access. */
const tokenList = z.object({ items: z.array(token).optional() }).loose();

const userPath = (userKey: string) => `/admin/directory/v1/users/${encodeURIComponent(userKey)}`;

/** What deleting some grants did: how many went, how many were not held, which calls failed. */
export interface GrantDeletion {
  ended: number;
  gone: number;
  failures: RevokeError[];
}

/** "2 OAuth app grants", for sentences. */
export const grantCount = (n: number): string => `${n} OAuth app grant${n === 1 ? '' : 's'}`;

/** A person's OAuth grants to third-party apps (Directory API `tokens`): this system's "sessions". */
export class GoogleGrants {
  constructor(private readonly client: GoogleClient) {}

  /** https://developers.google.com/workspace/admin/directory/reference/rest/v1/tokens/list */
  async list(userKey: string): Promise<z.infer<typeof token>[]> {
    const res = await this.client.http.request({
      operation: 'tokens.list',
      method: 'GET',
      path: `${userPath(userKey)}/tokens`,
      idempotent: true,
      schema: tokenList,
    });
    return res.data.items ?? [];
  }

  /** The account's grants as sessions: id = the app's client ID; a grant of someone else is dropped. */
  async sessions(account: Account): Promise<Session[]> {
    return (await this.list(account.id))
      .filter((t) => t.userKey === undefined || t.userKey === account.id)
      .map((t) => ({
        id: t.clientId,
        device: `${t.displayText ?? t.clientId} (OAuth app grant${t.nativeApp ? ', installed app' : ''})`,
        kind: 'api',
      }));
  }

  /**
   * https://developers.google.com/workspace/admin/directory/reference/rest/v1/tokens/delete — one call
   * per grant; the path names the user, so another person's grant is never touched (404: not theirs,
   * or already gone). Deleting again is harmless, so it is retried like a read.
   */
  async delete(account: Account, clientIds: string[]): Promise<GrantDeletion> {
    const result: GrantDeletion = { ended: 0, gone: 0, failures: [] };
    for (const clientId of clientIds) {
      try {
        await this.client.http.request({
          operation: 'tokens.delete',
          method: 'DELETE',
          path: `${userPath(account.id)}/tokens/${encodeURIComponent(clientId)}`,
          idempotent: true,
          schema: z.unknown(),
        });
        result.ended++;
      } catch (error) {
        if (error instanceof RevokeError && error.status === 404) result.gone++;
        else if (error instanceof RevokeError) result.failures.push(error);
        else throw error;
      }
    }
    return result;
  }
}
