import { expect, it } from 'vitest';
import type { Store } from '../../src/engine/store-port/index.js';
import { storeUser } from './contract.js';

const T0 = '2026-12-07T01:00:00.000Z';
const LATER = '2026-12-07T01:00:10.000Z';
const LEASE = '2026-12-07T01:00:05.000Z';

/** Each SIEM sink's cursor: one holder at a time, moved only by its holder from where it was. */
export function auditStreamContract(open: () => Promise<Store>): void {
  const withStore = storeUser(open);

  it('keeps a cursor per sink: one holder, compare-and-set moves, a lapsed lease taken over', () =>
    withStore(async (s) => {
      const a = s.auditStream;
      expect(await a.claim('webhook', 'A', T0, LEASE)).toBe(0);
      expect(await a.claim('webhook', 'B', T0, LEASE)).toBeUndefined();
      expect(await a.claim('syslog', 'B', T0, LEASE)).toBe(0);
      // Only the holder, only from where the cursor is.
      expect(await a.advance('webhook', 'B', 0, 5, T0)).toBe(false);
      expect(await a.advance('webhook', 'A', 3, 5, T0)).toBe(false);
      await a.failed('webhook', 'A', 'the webhook answered HTTP 503', T0);
      await a.failed('webhook', 'A', 'the webhook answered HTTP 502', LATER);
      expect((await a.positions()).find((p) => p.sink === 'webhook')).toEqual({
        sink: 'webhook',
        seq: 0,
        failingSince: T0,
        lastError: 'the webhook answered HTTP 502',
      });
      expect(await a.advance('webhook', 'A', 0, 5, T0)).toBe(true);
      expect((await a.positions()).find((p) => p.sink === 'webhook')).toMatchObject({
        seq: 5,
        failingSince: undefined,
      });
      // A's lease lapses: B takes over where A left the cursor, and A can no longer move it.
      expect(await a.claim('webhook', 'B', LATER, '2026-12-07T01:00:40.000Z')).toBe(5);
      expect(await a.advance('webhook', 'A', 5, 9, LATER)).toBe(false);
      await a.release('webhook', 'B');
      expect(await a.claim('webhook', 'A', LATER, '2026-12-07T01:00:40.000Z')).toBe(5);
    }));
}
