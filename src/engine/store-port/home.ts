import type { RequestStatus, RevocationRequest } from '../types.js';

/** What App Home needs of the store. */
export interface StoreHome {
  /** The newest requests asked for by `actor` (`slack:U…`), newest first. */
  listRequestsByRequester(actor: string, limit: number): Promise<RevocationRequest[]>;
  /** The newest requests in one of `statuses`, newest first. */
  listRequestsInStatus(statuses: readonly RequestStatus[], limit: number): Promise<RevocationRequest[]>;
}
