import type { PrincipalList } from './principals.js';

/** Resolves a Slack user group to its member user IDs. */
export type GroupResolver = (groupId: string) => Promise<string[]>;

/**
 * The answer to "is this user in that list?": `unknown` when a group that could have made them a
 * member could not be read (Slack error, timeout). Every caller decides what unknown means for it,
 * and always the cautious way (protected; not a requester; not an approver) — never silently "no".
 */
export type Membership =
  | { state: 'member' }
  | { state: 'not_member' }
  | { state: 'unknown'; groups: string[] };

/**
 * How old a cached group may be for a decision (approve, deny, break-glass): none — a decision
 * always reads the group from Slack again, so someone removed from it a moment ago cannot decide.
 */
export const DECISION_MAX_AGE_MS = 0;

interface CachedGroup {
  members: ReadonlySet<string>;
  fetchedAt: number;
}

export interface CheckOptions {
  /** Oldest cached membership accepted (default: the checker's ttl). Decisions pass {@link DECISION_MAX_AGE_MS}. */
  maxAgeMs?: number | undefined;
}

/**
 * Answers "is this user in that allow-list?" for user IDs and user groups, caching group
 * membership briefly (default 60 s) for previews and displays. A decision asks for a younger
 * answer. A group that cannot be read makes the answer `unknown`, never `not_member`.
 */
export class MembershipChecker {
  private readonly cache = new Map<string, CachedGroup>();
  private readonly inflight = new Map<string, { startedAt: number; fetch: Promise<ReadonlySet<string>> }>();

  constructor(
    private readonly resolveGroup: GroupResolver,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether `userId` is listed directly or is a member of a listed group; `unknown` names the unreadable groups. */
  async check(userId: string, list: PrincipalList, options: CheckOptions = {}): Promise<Membership> {
    if (list.users.has(userId)) return { state: 'member' };
    const maxAge = Math.min(options.maxAgeMs ?? this.ttlMs, this.ttlMs);
    const unreadable: string[] = [];
    for (const groupId of list.groups) {
      try {
        if ((await this.members(groupId, maxAge)).has(userId)) return { state: 'member' };
      } catch {
        unreadable.push(groupId);
      }
    }
    return unreadable.length > 0 ? { state: 'unknown', groups: unreadable } : { state: 'not_member' };
  }

  /** Warms the cache for every group of the lists (best effort). */
  async prefetch(lists: PrincipalList[]): Promise<void> {
    const groups = new Set(lists.flatMap((l) => [...l.groups]));
    await Promise.allSettled([...groups].map((g) => this.members(g, this.ttlMs)));
  }

  private async members(groupId: string, maxAgeMs: number): Promise<ReadonlySet<string>> {
    const now = this.now();
    const cached = this.cache.get(groupId);
    if (cached && now - cached.fetchedAt < maxAgeMs) return cached.members;
    const running = this.inflight.get(groupId);
    if (running && now - running.startedAt < maxAgeMs) return running.fetch;
    const fetch = this.resolveGroup(groupId)
      .then((ids) => {
        const members = new Set(ids);
        this.cache.set(groupId, { members, fetchedAt: now });
        return members as ReadonlySet<string>;
      })
      .finally(() => {
        if (this.inflight.get(groupId)?.fetch === fetch) this.inflight.delete(groupId);
      });
    this.inflight.set(groupId, { startedAt: now, fetch });
    return fetch;
  }
}

/** A sentence naming the groups that could not be read, e.g. "user group S0APPROVERS could not be read". */
export function unreadableGroups(groups: string[]): string {
  return `${groups.length === 1 ? 'user group' : 'user groups'} ${groups.join(', ')} could not be read from Slack`;
}
