import { expect, it } from 'vitest';
import type { Store } from '../../src/engine/store-port/index.js';
import { newRequest, storeUser } from './contract.js';

const NOW = '2026-11-22T10:00:00.000Z';
const key = (kid: string) => ({
  kid,
  alg: 'RS256',
  privateJwk: { kty: 'RSA', n: kid, e: 'AQAB', d: `d-${kid}` },
  createdAt: NOW,
});

/** What proof needs of every Store: the chain head, one kept signing key, steps and effects written together. */
export function proofContract(open: () => Promise<Store>): void {
  const withStore = storeUser(open);

  it('reads the audit chain head: none on an empty log, then the last record', () =>
    withStore(async (s) => {
      expect(await s.auditHead()).toBeUndefined();
      await s.appendAudit({ actor: 'a', action: 'one' }, NOW);
      const last = await s.appendAudit({ actor: 'a', action: 'two' }, NOW);
      expect(await s.auditHead()).toEqual({ seq: last.seq, hash: last.hash });
    }));

  it('keeps one signing key: the first kept wins, even when replicas race', () =>
    withStore(async (s) => {
      expect(await s.signingKey()).toBeUndefined();
      const raced = await Promise.all([s.keepSigningKey(key('k1')), s.keepSigningKey(key('k2'))]);
      expect(raced[0].kid).toBe(raced[1].kid);
      expect((await s.keepSigningKey(key('k3'))).kid).toBe(raced[0].kid);
      expect(await s.signingKey()).toEqual(raced[0]);
    }));

  it('writes steps, their audit record and their effects in one transaction (a broken record writes none)', () =>
    withStore(async (s) => {
      await s.createRequest('r-1', newRequest(), 'approved', NOW);
      const effect = {
        kind: 'watch_check',
        key: 'watch_check:r-1:0',
        payload: { round: 0 },
        notBefore: '2999-01-01T00:00:00.000Z',
      };
      const broken = { actor: 'x', action: 'watch_checked', data: { n: 1n } };
      await expect(
        s.updateSteps('r-1', [{ key: 'box', patch: { result: { detail: 'x' } } }], broken, NOW, undefined, [
          effect,
        ]),
      ).rejects.toThrow();
      expect(await s.listEffects()).toEqual([]);
      await s.updateSteps(
        'r-1',
        [{ key: 'box', patch: { result: { detail: 'y' } } }],
        { actor: 'x', action: 'watch_checked' },
        NOW,
        undefined,
        [effect],
      );
      expect((await s.listEffects()).map((e) => e.key)).toEqual(['watch_check:r-1:0']);
      expect((await s.listSteps('r-1')).find((x) => x.key === 'box')?.result?.detail).toBe('y');
      // Scheduled for later: not waiting yet (health, metrics and readiness leave it out).
      expect((await s.outboxHealth()).pending).toBe(0);
      await s.addEffects(
        [{ kind: 'k', key: 'due', notBefore: '2000-01-01T00:00:00.000Z' }],
        '1999-01-01T00:00:00.000Z',
      );
      expect(await s.outboxHealth()).toMatchObject({
        pending: 1,
        oldestPendingAt: '2000-01-01T00:00:00.000Z',
      });
    }));
}
