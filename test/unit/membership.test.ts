import { describe, expect, it } from 'vitest';
import { MembershipChecker } from '../../src/engine/access.js';

const list = (users: string[], groups: string[]) => ({ users: new Set(users), groups: new Set(groups) });

/** Membership answers "unknown" when a group cannot be read: never the permissive or the silent "no". */
describe('MembershipChecker', () => {
  it('member, not a member, or unknown naming the groups that could not be read', async () => {
    const groups: Record<string, string[] | Error> = { S1: ['U1'], S2: new Error('internal_error') };
    const m = new MembershipChecker(async (g) => {
      const v = groups[g];
      if (v instanceof Error || v === undefined) throw v ?? new Error('no such group');
      return v;
    });
    expect(await m.check('U9', list(['U9'], ['S2']))).toEqual({ state: 'member' });
    expect(await m.check('U1', list([], ['S2', 'S1']))).toEqual({ state: 'member' });
    expect(await m.check('U2', list([], ['S1']))).toEqual({ state: 'not_member' });
    expect(await m.check('U2', list([], ['S1', 'S2']))).toEqual({ state: 'unknown', groups: ['S2'] });
  });

  it('serves displays from the cache, but a decision (max age 0) reads the group again', async () => {
    let now = 0;
    let reads = 0;
    let members = ['U1'];
    const m = new MembershipChecker(
      async () => {
        reads++;
        return members;
      },
      60_000,
      () => now,
    );
    expect((await m.check('U1', list([], ['S1']))).state).toBe('member');
    members = [];
    now = 30_000;
    expect((await m.check('U1', list([], ['S1']))).state).toBe('member');
    expect(reads).toBe(1);
    expect((await m.check('U1', list([], ['S1']), { maxAgeMs: 0 })).state).toBe('not_member');
    expect(reads).toBe(2);
  });
});
