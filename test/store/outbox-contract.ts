import { expect, it } from 'vitest';
import type { Store } from '../../src/engine/store-port/index.js';
import { newRequest } from './contract.js';

const NOW = '2026-11-22T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(NOW) + s * 1000).toISOString();

/**
 * The outbox's contract, for every Store: effects are written in the same transaction as the
 * change they follow (or not at all), once per key, delivered in order per request, held by one
 * deliverer at a time, retried, and a failure is kept in sight.
 */
export function outboxContract(open: () => Promise<Store>): void {
  const withStore = async (fn: (s: Store) => Promise<void>) => {
    const store = await open();
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  };

  it('outbox: effects are written with the request they follow, once per key', () =>
    withStore(async (s) => {
      const effects = [
        { kind: 'approval_card', key: 'card:r-1' },
        { kind: 'requester_note', key: 'note:r-1', payload: { about: 'needs_approval' } },
      ];
      await s.createRequest('r-1', newRequest(), 'pending_approval', NOW, { idempotencyKey: 'k1', effects });
      // A replay of the same create (same key) writes no second request and no second effect.
      await s.createRequest('r-2', newRequest(), 'pending_approval', NOW, { idempotencyKey: 'k1', effects });
      await s.addEffects([{ kind: 'approval_card', key: 'card:r-1', requestId: 'r-1' }], NOW);
      const listed = await s.listEffects('r-1');
      expect(listed.map((e) => [e.kind, e.key, e.requestId, e.state, e.attempts])).toEqual([
        ['approval_card', 'card:r-1', 'r-1', 'pending', 0],
        ['requester_note', 'note:r-1', 'r-1', 'pending', 0],
      ]);
      expect(listed[1]?.payload).toEqual({ about: 'needs_approval' });
      expect(await s.listEffects('r-2')).toEqual([]);
    }));

  it('outbox: a compare-and-set that changes nothing writes no effect; one that changes writes them with it', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'pending_approval', NOW);
      const deny = [{ kind: 'card_redraw', key: 'redraw:r-1:denied', requestId: 'r-1' }];
      expect(await s.updateRequest('r-1', { status: 'denied' }, at(1), ['approved'], undefined, deny)).toBe(
        false,
      );
      expect(await s.listEffects('r-1')).toEqual([]);
      const record = { requestId: 'r-1', actor: 'slack:UAPP', action: 'denied' };
      expect(
        await s.updateRequest('r-1', { status: 'denied' }, at(1), ['pending_approval'], record, deny),
      ).toBe(true);
      expect((await s.listEffects('r-1')).map((e) => e.key)).toEqual(['redraw:r-1:denied']);
    }));

  it('outbox: one request’s effects in order, one deliverer at a time, a lapsed claim taken over', () =>
    withStore(async (s) => {
      await s.addEffects(
        [
          { kind: 'a', key: 'r1-first', requestId: 'r-1' },
          { kind: 'a', key: 'r1-second', requestId: 'r-1' },
          { kind: 'a', key: 'r2-first', requestId: 'r-2' },
          { kind: 'a', key: 'later', requestId: 'r-3', notBefore: at(60) },
        ],
        NOW,
      );
      const first = await s.claimEffects('w1', at(1), at(31), 10);
      expect(first.map((e) => [e.key, e.attempts])).toEqual([
        ['r1-first', 1],
        ['r2-first', 1],
      ]);
      // Held: nobody else gets them, and r-1's second effect waits for its first.
      expect(await s.claimEffects('w2', at(2), at(32), 10)).toEqual([]);
      const [r1] = first;
      if (!r1) throw new Error('nothing claimed');
      expect(await s.saveEffectProgress(r1.id, 'w2', { ts: 'x' })).toBe(false);
      expect(await s.saveEffectProgress(r1.id, 'w1', { ts: '1.1' })).toBe(true);
      expect(await s.settleEffect(r1.id, 'w2', { done: true }, at(3))).toBe(false);
      expect(await s.settleEffect(r1.id, 'w1', { done: true }, at(3))).toBe(true);
      const [second] = await s.claimEffects('w2', at(4), at(34), 10);
      expect(second?.key).toBe('r1-second');
      expect(await s.settleEffect(second?.id ?? 0, 'w2', { done: true }, at(5))).toBe(true);
      // w1's claim of r2-first lapses (a dead deliverer): w3 takes it over with its progress and count.
      const taken = await s.claimEffects('w3', at(40), at(70), 10);
      expect(taken.map((e) => [e.key, e.attempts])).toEqual([['r2-first', 2]]);
      expect(await s.settleEffect(first[1]?.id ?? 0, 'w1', { done: true }, at(41))).toBe(false);
      // A scheduled effect is due only at its time.
      expect((await s.claimEffects('w4', at(61), at(91), 10)).map((e) => e.key)).toEqual(['later']);
    }));

  it('outbox: a retry waits for its time; a failure is kept, visible, and no longer blocks the request', () =>
    withStore(async (s) => {
      await s.addEffects(
        [
          { kind: 'card', key: 'one', requestId: 'r-1' },
          { kind: 'note', key: 'two', requestId: 'r-1' },
        ],
        NOW,
      );
      const [one] = await s.claimEffects('w1', at(1), at(31), 10);
      if (!one) throw new Error('nothing claimed');
      expect(await s.settleEffect(one.id, 'w1', { retryAt: at(10), error: 'ratelimited' }, at(2))).toBe(true);
      expect(await s.claimEffects('w1', at(5), at(35), 10)).toEqual([]);
      const [again] = await s.claimEffects('w1', at(10), at(40), 10);
      expect([again?.key, again?.attempts, again?.lastError]).toEqual(['one', 2, 'ratelimited']);
      expect(await s.outboxHealth()).toEqual({ pending: 2, failed: [], oldestPendingAt: NOW });
      expect(await s.settleEffect(again?.id ?? 0, 'w1', { failed: 'channel_not_found' }, at(11))).toBe(true);
      expect((await s.claimEffects('w1', at(12), at(42), 10)).map((e) => e.key)).toEqual(['two']);
      expect(await s.outboxHealth()).toEqual({
        pending: 1,
        failed: [{ kind: 'card', count: 1 }],
        oldestPendingAt: NOW,
      });
      const [failed] = await s.listEffects('r-1');
      expect([failed?.state, failed?.lastError, failed?.settledAt]).toEqual([
        'failed',
        'channel_not_found',
        at(11),
      ]);
    }));

  it('outbox: settled effects of finished requests are pruned after their time; pending ones and open requests keep theirs', () =>
    withStore(async (s) => {
      await s.createRequest('r-open', newRequest(), 'pending_approval', NOW, {
        effects: [{ kind: 'card', key: 'card:open' }],
      });
      await s.createRequest('r-done', newRequest(), 'pending_approval', NOW, {
        effects: [
          { kind: 'card', key: 'card:done' },
          { kind: 'note', key: 'note:done' },
          { kind: 'watch', key: 'watch:done', notBefore: at(3600) },
        ],
      });
      await s.updateRequest('r-done', { status: 'denied' }, at(1), ['pending_approval']);
      await s.addEffects([{ kind: 'home_publish', key: 'home:U1' }], NOW);
      const settle = async (outcome: { done: true } | { failed: string }, when: number) => {
        const [e] = await s.claimEffects('w1', at(when), at(when + 30), 1);
        if (!e) throw new Error('nothing claimed');
        expect(await s.settleEffect(e.id, 'w1', outcome, at(when))).toBe(true);
        return e.key;
      };
      // Claimed oldest first: card:open (done), card:done (failed), note:done (done), home:U1 (done, later).
      expect(await settle({ done: true }, 10)).toBe('card:open');
      expect(await settle({ failed: 'channel_not_found' }, 11)).toBe('card:done');
      expect(await settle({ done: true }, 12)).toBe('note:done');
      expect(await settle({ done: true }, 100)).toBe('home:U1');
      // Nothing settled before the cut-off yet.
      expect(await s.pruneEffects(at(5), 100)).toBe(0);
      // The open request keeps its card; the scheduled watch is still pending; home:U1 is newer.
      expect(await s.pruneEffects(at(50), 1)).toBe(1);
      expect(await s.pruneEffects(at(50), 100)).toBe(1);
      const left = await s.listEffects();
      expect(left.map((e) => e.key).sort()).toEqual(['card:open', 'home:U1', 'watch:done']);
      // An effect of no request goes after its time too; its key may then be written again.
      expect(await s.pruneEffects(at(200), 100)).toBe(1);
      await s.addEffects([{ kind: 'home_publish', key: 'home:U1' }], at(60));
      expect((await s.listEffects()).filter((e) => e.key === 'home:U1').map((e) => e.state)).toEqual([
        'pending',
      ]);
    }));

  it('outbox: replicas racing for the same effects each get different ones', () =>
    withStore(async (s) => {
      await s.addEffects(
        Array.from({ length: 20 }, (_, i) => ({ kind: 'a', key: `e${i}`, requestId: `r-${i}` })),
        NOW,
      );
      const claims = await Promise.all(
        ['w1', 'w2', 'w3', 'w4'].map((w) => s.claimEffects(w, at(1), at(31), 20)),
      );
      const keys = claims.flat().map((e) => e.key);
      expect(keys).toHaveLength(20);
      expect(new Set(keys).size).toBe(20);
    }));
}
