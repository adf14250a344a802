import { expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import type { Store } from '../../src/engine/store-port/index.js';
import { streamAudit } from '../../src/store/audit-read.js';
import { newRequest, onFreshStore, type RawAccess } from './contract.js';

const NOW = '2026-11-22T10:00:00.000Z';
const later = (s: number) => new Date(Date.parse(NOW) + s * 1000).toISOString();

/**
 * The store at any size, for every implementation: the audit log read by pages in sequence
 * order with its filters, the people of each request, the request counts kept by triggers, and
 * the audit chain's head. Each `open` returns a store on a fresh, migrated database.
 */
export function atScaleContract(open: () => Promise<Store>, raw: (store: Store) => RawAccess): void {
  const withStore = onFreshStore(open);

  /** Alice's request (r-1), a bulk naming Bob and Carol asked from the CLI (r-2), and records around them. */
  async function seed(s: Store): Promise<void> {
    await s.createRequest('r-1', newRequest(), 'pending_approval', NOW, {
      audit: { actor: 'slack:UREQ', action: 'request_created' },
    });
    await s.createRequest(
      'r-2',
      newRequest({
        requester: { kind: 'cli', id: 'ops' },
        target: { slackUserId: 'UBOB' },
        additionalTargets: [{ email: 'carol@example.com' }],
      }),
      'approved',
      later(1),
      { audit: { actor: 'cli:ops', action: 'request_created' } },
    );
    await s.appendAudit(
      {
        actor: 'slack:UVIEW',
        action: 'sessions_previewed',
        data: { target: { slackUserId: 'UALICE', email: null } },
      },
      later(2),
    );
    await s.updateRequest('r-2', { status: 'running' }, later(3), ['approved'], {
      requestId: 'r-2',
      actor: 'slack:UALICE',
      action: 'run_started',
    });
    await s.appendAudit({ actor: 'system', action: 'housekeeping', data: { note: '%_ 100%' } }, later(4));
    await s.updateRequest('r-1', { status: 'approved' }, later(5), ['pending_approval'], {
      requestId: 'r-1',
      actor: 'slack:UAPP',
      action: 'request_approved',
    });
  }

  const seqs = async (s: Store, q: Parameters<Store['readAudit']>[0]) =>
    (await s.readAudit(q)).map((r) => r.seq);

  it('reads the audit log a page at a time by sequence, and streams it whole in order', () =>
    withStore(async (s) => {
      await seed(s);
      expect(await seqs(s, { limit: 2 })).toEqual([1, 2]);
      expect(await seqs(s, { afterSeq: 2, limit: 2 })).toEqual([3, 4]);
      expect(await seqs(s, { afterSeq: 5, limit: 10 })).toEqual([6]);
      expect(await seqs(s, { afterSeq: 6, limit: 10 })).toEqual([]);
      const streamed = [];
      for await (const r of streamAudit((q) => s.readAudit(q), { pageSize: 2 })) streamed.push(r);
      expect(streamed).toEqual(await s.listAudit());
      expect(streamed.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(verifyChain(streamed)).toEqual({ ok: true, checked: 6 });
    }));

  it('filters the audit log by time (since inclusive, until exclusive), action and request', () =>
    withStore(async (s) => {
      await seed(s);
      expect(await seqs(s, { limit: 10, since: later(2) })).toEqual([3, 4, 5, 6]);
      expect(await seqs(s, { limit: 10, until: later(2) })).toEqual([1, 2]);
      expect(await seqs(s, { limit: 10, since: later(2), until: later(4) })).toEqual([3, 4]);
      expect(await seqs(s, { limit: 10, actions: ['request_created', 'request_approved'] })).toEqual([
        1, 2, 6,
      ]);
      expect(await seqs(s, { limit: 10, actions: [] })).toEqual([]);
      expect(await seqs(s, { limit: 10, requestId: 'r-2', afterSeq: 2 })).toEqual([4]);
    }));

  it('finds every record of the requests naming a person, what they did, and previews of their sessions', () =>
    withStore(async (s) => {
      await seed(s);
      // Alice: her request (1, 6), the preview of her sessions (3), the run she started on r-2 (4).
      expect(await seqs(s, { limit: 10, people: ['slack:UALICE'] })).toEqual([1, 3, 4, 6]);
      expect(await seqs(s, { limit: 10, people: ['email:alice@example.com'] })).toEqual([1, 6]);
      // Carol is a further person of the bulk r-2; ops asked for it from the CLI.
      expect(await seqs(s, { limit: 10, people: ['email:carol@example.com'] })).toEqual([2, 4]);
      expect(await seqs(s, { limit: 10, people: ['cli:ops'] })).toEqual([2, 4]);
      expect(await seqs(s, { limit: 10, people: ['slack:UBOB', 'slack:UAPP'] })).toEqual([2, 4, 6]);
      // LIKE's wildcards in a key are taken literally.
      expect(await seqs(s, { limit: 10, people: ['email:%@example.com', 'slack:U%'] })).toEqual([]);
      expect(await seqs(s, { limit: 10, people: [] })).toEqual([]);
      expect(await seqs(s, { limit: 1, afterSeq: 1, people: ['slack:UALICE'] })).toEqual([3]);
    }));

  it('lists a person’s requests as a target only, never as the requester', () =>
    withStore(async (s) => {
      await seed(s);
      expect((await s.listRequestsForTarget('UBOB', 10)).map((r) => r.id)).toEqual(['r-2']);
      expect((await s.listRequestsForTarget('UALICE', 10)).map((r) => r.id)).toEqual(['r-1']);
      expect(await s.listRequestsForTarget('UREQ', 10)).toEqual([]);
    }));

  it('counts requests by source and status as they move, once per request', () =>
    withStore(async (s) => {
      const counts = async () =>
        (await s.metricsSnapshot(later(100))).requests
          .map((r) => `${r.source} ${r.status} ${r.count}`)
          .sort();
      await s.createRequest('r-1', newRequest(), 'pending_approval', NOW, { idempotencyKey: 'k' });
      await s.createRequest('r-dup', newRequest(), 'pending_approval', NOW, { idempotencyKey: 'k' });
      await s.createRequest('r-2', newRequest({ source: 'api' }), 'approved', NOW);
      expect(await counts()).toEqual(['api approved 1', 'slash_command pending_approval 1']);
      await s.updateRequest('r-1', { status: 'approved' }, later(1), ['pending_approval']);
      await s.updateRequest('r-1', { status: 'approved', summary: 'same status' }, later(2));
      expect(await s.claim('r-1', 'runner', later(30), later(3))).toBe(1);
      expect(await s.claim('r-1', 'runner-2', later(90), later(60))).toBe(2); // running → running
      await s.updateRequest('r-1', { status: 'done' }, later(61), ['running']);
      expect(await counts()).toEqual(['api approved 1', 'slash_command done 1']);
    }));

  it('keeps the chain head: an append after its newest records were cut off links to them, so the cut shows', () =>
    withStore(async (s) => {
      for (let i = 0; i < 4; i++) await s.appendAudit({ actor: 'engine', action: `a${i}` }, NOW);
      await raw(s).deleteAudit(4);
      expect(verifyChain(await s.listAudit()).ok).toBe(true); // a cut tail alone leaves a valid prefix…
      const next = await s.appendAudit({ actor: 'engine', action: 'after' }, NOW);
      expect(next.seq).toBe(5);
      expect(verifyChain(await s.listAudit())).toMatchObject({ ok: false, brokenAt: 4 }); // …until the next append
    }));
}
