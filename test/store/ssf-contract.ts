import { afterEach, describe, expect, it } from 'vitest';
import type { Store, StreamRecord } from '../../src/engine/store-port/index.js';

const NOW = '2026-11-22T10:00:00.000Z';

const stream = (id: string, audience: string, at = NOW): StreamRecord => ({
  id,
  audience,
  config: {
    delivery: { method: 'urn:ietf:rfc:8936', endpoint_url: `https://x/${id}` },
    events_requested: ['e'],
  },
  status: 'enabled',
  statusReason: undefined,
  createdAt: at,
  updatedAt: at,
});

/** The Shared Signals tables, the same on every store (streams survive a reopen; queues dedupe by jti). */
export function signalStoreContract(
  open: () => Promise<Store>,
  reopen: (store: Store) => Promise<Store>,
): void {
  describe('signal store', () => {
    const stores: Store[] = [];
    const make = async () => {
      const s = await open();
      stores.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close().catch(() => {});
    });

    it('keeps streams across a reopen, per audience, and changes only the one named', async () => {
      const store = await make();
      await store.signals.createStream(stream('s1', 'aud-a'));
      await store.signals.createStream(stream('s2', 'aud-b', '2026-11-22T10:00:01.000Z'));
      expect(await store.signals.updateStream('s1', { status: 'paused', statusReason: 'why' }, NOW)).toBe(
        true,
      );
      expect(await store.signals.updateStream('nope', { status: 'paused' }, NOW)).toBe(false);
      const again = await reopen(store);
      stores.push(again);
      expect((await again.signals.listStreams()).map((s) => s.id)).toEqual(['s1', 's2']);
      expect((await again.signals.listStreams('aud-b')).map((s) => s.id)).toEqual(['s2']);
      const s1 = await again.signals.getStream('s1');
      expect(s1).toEqual({ ...stream('s1', 'aud-a'), status: 'paused', statusReason: 'why' });
      await again.signals.updateStream('s1', { statusReason: null, config: { a: 1 } }, NOW);
      expect(await again.signals.getStream('s1')).toMatchObject({
        statusReason: undefined,
        config: { a: 1 },
      });
      expect(await again.signals.getStream('s2')).toEqual(stream('s2', 'aud-b', '2026-11-22T10:00:01.000Z'));
    });

    it('queues each jti once per stream, oldest first, and forgets a deleted stream with its queue', async () => {
      const store = await make();
      await store.signals.createStream(stream('s1', 'a'));
      await store.signals.queueSet('s1', 'j2', 'set-2', '2026-11-22T10:00:02.000Z');
      await store.signals.queueSet('s1', 'j1', 'set-1', '2026-11-22T10:00:01.000Z');
      await store.signals.queueSet('s1', 'j1', 'another', '2026-11-22T10:00:03.000Z');
      await store.signals.queueSet('s2', 'j1', 'other stream', NOW);
      expect(await store.signals.waitingSets('s1', 10)).toEqual([
        { jti: 'j1', set: 'set-1' },
        { jti: 'j2', set: 'set-2' },
      ]);
      expect(await store.signals.waitingSets('s1', 1)).toEqual([{ jti: 'j1', set: 'set-1' }]);
      expect(await store.signals.countWaiting('s1')).toBe(2);
      expect(await store.signals.removeSets('s1', ['j1', 'unknown'])).toBe(1);
      expect(await store.signals.removeSets('s1', [])).toBe(0);
      expect(await store.signals.countWaiting('s1')).toBe(1);
      expect(await store.signals.deleteStream('s1')).toBe(true);
      expect(await store.signals.deleteStream('s1')).toBe(false);
      expect(await store.signals.countWaiting('s1')).toBe(0);
      expect(await store.signals.countWaiting('s2')).toBe(1);
    });

    it('remembers an inbound jti once per issuer, and forgets the old ones', async () => {
      const store = await make();
      expect(await store.signals.inboundSeen('iss-a', 'j')).toBe(false);
      expect(await store.signals.rememberInbound('iss-a', 'j', 'request', NOW)).toBe(true);
      expect(await store.signals.inboundSeen('iss-a', 'j')).toBe(true);
      expect(await store.signals.inboundSeen('iss-b', 'j')).toBe(false);
      expect(await store.signals.rememberInbound('iss-a', 'j', 'request', NOW)).toBe(false);
      expect(await store.signals.rememberInbound('iss-b', 'j', 'unknown_person', NOW)).toBe(true);
      expect(await store.signals.pruneInbound('2026-11-22T10:00:00.001Z')).toBe(2);
      expect(await store.signals.rememberInbound('iss-a', 'j', 'request', NOW)).toBe(true);
    });
  });
}
