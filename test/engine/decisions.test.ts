import { beforeEach, describe, expect, it } from 'vitest';
import type { RevocationRequest } from '../../src/engine/types.js';
import { MemorySystem, users, world } from './world.js';

/** Decisions: four eyes, break-glass, expiry and withdrawal, each one compare-and-set with its record. */
describe('engine decisions', () => {
  let w: ReturnType<typeof world>;
  let request: RevocationRequest;

  beforeEach(async () => {
    const mm = new MemorySystem('mattermost', 'Mattermost').add('alice@example.com', 'mm-alice', ['s1']);
    w = world([mm], { requireApproval: true, breakGlassUsers: users('UREQ') });
    await w.ready();
    w.directory.add('UREQ', 'bob@example.com').add('UALICE', 'alice@example.com');
    const result = await w.engine.ask({
      source: 'slash_command',
      requester: { kind: 'slack', id: 'UREQ' },
      people: [{ kind: 'user', userId: 'UALICE' }],
      systems: ['mattermost'],
      slackScope: 'all',
      reason: 'INC-3',
    });
    if (!result.ok) throw new Error(result.message);
    request = result.request;
  });

  it('the requester cannot approve; an approver can, once', async () => {
    const self = await w.engine.decide(request.id, { kind: 'slack', id: 'UREQ' }, 'approve');
    expect(self).toMatchObject({ ok: false });
    const stranger = await w.engine.decide(request.id, { kind: 'slack', id: 'UX' }, 'approve');
    expect(stranger).toMatchObject({ ok: false });
    const both = await Promise.all([
      w.engine.decide(request.id, { kind: 'slack', id: 'UAPP' }, 'approve'),
      w.engine.decide(request.id, { kind: 'slack', id: 'UAPP' }, 'deny'),
    ]);
    expect(both.filter((d) => d.ok)).toHaveLength(1);
    expect((await w.actions()).filter((a) => ['approved', 'denied'].includes(a))).toHaveLength(1);
    expect((await w.actions()).filter((a) => a === 'decision_refused')).toHaveLength(2);
  });

  it('break-glass: only the requester, only with a justification, and it is marked', async () => {
    expect(
      await w.engine.decide(request.id, { kind: 'slack', id: 'UREQ' }, 'break_glass', 'short'),
    ).toMatchObject({
      ok: false,
    });
    const done = await w.engine.decide(
      request.id,
      { kind: 'slack', id: 'UREQ' },
      'break_glass',
      'Attacker is active right now, no approver awake',
    );
    if (!done.ok) throw new Error(done.reason);
    expect(done.request).toMatchObject({ status: 'approved', breakGlass: true, decidedBy: 'slack:UREQ' });
    expect(await w.actions()).toContain('break_glass_approved');
  });

  it('expires after its time, and a withdrawn request can no longer be approved', async () => {
    expect(await w.engine.expireDue()).toEqual([]);
    w.advance(3_600_001);
    expect((await w.engine.expireDue()).map((r) => r.id)).toEqual([request.id]);
    expect(await w.engine.decide(request.id, { kind: 'slack', id: 'UAPP' }, 'approve')).toMatchObject({
      ok: false,
    });
    expect(await w.engine.withdraw(request.id, 'too late')).toBe(false);
  });

  describe('nobody named in a request decides it, also when named by email only', () => {
    async function emailOnly() {
      const r = await w.engine.ask({
        source: 'api',
        requester: { kind: 'api', id: 'edr' },
        people: [{ kind: 'email', email: 'app@example.com' }],
        systems: ['mattermost'],
        slackScope: 'all',
        reason: 'EDR: token theft',
      });
      if (!r.ok) throw new Error(r.message);
      expect(r.request.target.slackUserId).toBeUndefined();
      return r.request;
    }

    it('the approver whose Slack email is the person named is refused, audited', async () => {
      const named = await emailOnly();
      // The approver's Slack profile (read at the click) has the address the alert named.
      w.directory.add('UAPP', 'app@example.com');
      const d = await w.engine.decide(named.id, { kind: 'slack', id: 'UAPP' }, 'deny');
      expect(d).toMatchObject({ ok: false, reason: expect.stringMatching(/^You are one of the people/) });
      expect((await w.store.getRequest(named.id))?.status).toBe('pending_approval');
      expect(await w.actions()).toContain('decision_refused');
    });

    it('when the approver’s profile cannot be read, nobody may decide until it can (fails closed)', async () => {
      const named = await emailOnly();
      w.directory.getUser = async () => {
        throw new Error('slack down');
      };
      const d = await w.engine.decide(named.id, { kind: 'slack', id: 'UAPP' }, 'approve');
      expect(d).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/^Could not check that you are not one of the people/),
      });
      expect((await w.store.getRequest(named.id))?.status).toBe('pending_approval');
    });
  });
});
