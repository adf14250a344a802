/**
 * What to do about a store that cannot be used: fix DATABASE_URL or what it names
 * (`configuration`), or make the database reachable and usable (`unreachable`). The CLI exits 2
 * or 1 by it; the app's start-up turns any of them into a failure naming DATABASE_URL.
 */
export type StoreAccessKind = 'configuration' | 'unreachable';

/** The store named by DATABASE_URL cannot be used; the message names DATABASE_URL and holds no password. */
export class StoreAccessError extends Error {
  constructor(
    message: string,
    readonly kind: StoreAccessKind,
  ) {
    super(message);
    this.name = 'StoreAccessError';
  }
}
