import type { PrincipalList } from '../config.js';

/** Resolves a Slack user group to its member user IDs. */
export type GroupResolver = (groupId: string) => Promise<string[]>;

interface CachedGroup {
  members: ReadonlySet<string>;
  fetchedAt: number;
}

/**
 * Answers "is this user in that allow-list?" for user IDs and user groups,
 * caching group membership briefly (default 60 s) so checks stay inside
 * Slack's 3-second window. A failed group lookup denies (fail closed).
 */
export class MembershipChecker {
  private readonly cache = new Map<string, CachedGroup>();
  private readonly inflight = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(
    private readonly resolveGroup: GroupResolver,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when `userId` is listed directly or is a member of a listed group. */
  async isMember(userId: string, list: PrincipalList): Promise<boolean> {
    if (list.users.has(userId)) return true;
    for (const groupId of list.groups) {
      try {
        if ((await this.members(groupId)).has(userId)) return true;
      } catch {
        // Fail closed for this group; others may still grant access.
      }
    }
    return false;
  }

  /** Warms the cache for every group of the lists (best effort). */
  async prefetch(lists: PrincipalList[]): Promise<void> {
    const groups = new Set(lists.flatMap((l) => [...l.groups]));
    await Promise.allSettled([...groups].map((g) => this.members(g)));
  }

  private async members(groupId: string): Promise<ReadonlySet<string>> {
    const cached = this.cache.get(groupId);
    if (cached && this.now() - cached.fetchedAt < this.ttlMs) return cached.members;
    const running = this.inflight.get(groupId);
    if (running) return running;
    const fetch = this.resolveGroup(groupId)
      .then((ids) => {
        const members = new Set(ids);
        this.cache.set(groupId, { members, fetchedAt: this.now() });
        return members as ReadonlySet<string>;
      })
      .finally(() => this.inflight.delete(groupId));
    this.inflight.set(groupId, fetch);
    return fetch;
  }
}
