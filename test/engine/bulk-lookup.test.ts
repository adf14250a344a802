import { describe, expect, it } from 'vitest';
import { ErrorCode, RevokeError } from '../../src/errors.js';
import type { Account, Person, RevokeAllOptions, RevokeOutcome } from '../../src/providers/types.js';
import { MemorySystem, world } from './world.js';

/** A system with a bulk revoke (as Slack's resetBulk and Huawei's batch delete), whose lookup fails for some people. */
class BulkSystem extends MemorySystem {
  readonly lookupDown = new Set<string>();

  override async findAccount(person: Person) {
    if (this.lookupDown.has(person.email ?? ''))
      throw new RevokeError('Mattermost did not answer the lookup (503)', {
        code: ErrorCode.VendorUnavailable,
        system: this.id,
        retryable: true,
      });
    return super.findAccount(person);
  }

  async revokeAllBulk(
    accounts: Account[],
    _options: RevokeAllOptions,
  ): Promise<Map<string, RevokeOutcome | Error>> {
    const outcomes = new Map<string, RevokeOutcome | Error>();
    for (const a of accounts) outcomes.set(a.id, await this.revokeAll(a));
    return outcomes;
  }
}

/**
 * A bulk's lookups run before its one bulk call. A lookup the vendor failed is a failed step — never
 * "no account" (nothing was revoked for that person, and the system did not say they have none).
 */
describe('a bulk whose lookup fails for one person', () => {
  it('records that person’s step as failed with the vendor’s error, the others revoked', async () => {
    const mm = new BulkSystem('mattermost', 'Mattermost');
    const w = world([mm]);
    await w.ready();
    w.people(mm, 3);
    const asked = await w.engine.ask({
      source: 'slash_command',
      requester: { kind: 'slack', id: 'UREQ' },
      people: [0, 1, 2].map((i) => ({ kind: 'user' as const, userId: `UP${i}` })),
      systems: ['mattermost'],
      slackScope: 'all',
      reason: 'INC-12',
    });
    if (!asked.ok) throw new Error(asked.message);
    mm.lookupDown.add('p1@example.com');
    const final = await w.engine.run(asked.request.id);
    const steps = await w.store.listSteps(asked.request.id);
    const byPerson = Object.fromEntries(steps.map((s) => [s.targetIndex, s]));
    expect(byPerson[1]?.state).toBe('failed');
    expect(byPerson[1]?.result?.error?.code).toBe(ErrorCode.VendorUnavailable);
    expect([byPerson[0]?.state, byPerson[2]?.state]).toEqual(['revoked', 'revoked']);
    expect(mm.revoked.map((r) => r.account).sort()).toEqual(['mm-0', 'mm-2']);
    expect(final?.status).toBe('partially_failed');
  });
});
