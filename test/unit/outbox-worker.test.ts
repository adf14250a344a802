import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { type EffectHandler, OutboxWorker, PermanentEffectError } from '../../src/runtime/outbox-worker.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { captureLogs } from '../helpers/capture.js';

/** The outbox worker over a real SQLite store: order, retries with backoff, failures kept, takeovers. */
describe('OutboxWorker', () => {
  let store: SqliteStore;
  let clock: number;
  const logs: string[] = [];
  const logger = new RedactingLogger(new Redactor([]), 'debug', captureLogs(logs));
  const now = () => new Date(clock);
  const iso = () => now().toISOString();
  const worker = (handlers: Record<string, EffectHandler>, owner = 'w1') =>
    new OutboxWorker(store, handlers, logger, { owner, now, backoffMs: 1_000, maxAttempts: 3 });

  beforeEach(async () => {
    clock = Date.parse('2026-12-01T10:00:00.000Z');
    store = new SqliteStore(':memory:');
    await store.migrate();
  });
  afterEach(() => store.close());

  it('delivers a request’s effects in the order written, and each request’s independently', async () => {
    const seen: string[] = [];
    await store.addEffects(
      ['a1', 'a2', 'a3']
        .map((key) => ({ kind: 'note', key, requestId: 'r-a' }))
        .concat([{ kind: 'note', key: 'b1', requestId: 'r-b' }]),
      iso(),
    );
    const settled = await worker({
      note: async (d) => {
        seen.push(d.effect.key);
      },
    }).drain();
    expect(settled).toBe(4);
    expect(seen.filter((k) => k.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect((await store.listEffects()).every((e) => e.state === 'done')).toBe(true);
  });

  it('retries a failed delivery with backoff, then fails it for good after the last attempt, and goes on', async () => {
    let calls = 0;
    await store.addEffects(
      [
        { kind: 'card', key: 'c', requestId: 'r-1' },
        { kind: 'note', key: 'n', requestId: 'r-1' },
      ],
      iso(),
    );
    const w = worker({
      card: async () => {
        calls++;
        throw new Error('ratelimited');
      },
      note: async () => {},
    });
    await w.drain();
    expect(calls).toBe(1);
    expect((await store.listEffects())[0]).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastError: 'ratelimited',
    });
    clock += 999; // backoff 1 s: not yet
    await w.drain();
    expect(calls).toBe(1);
    clock += 1; // due
    await w.drain();
    expect(calls).toBe(2);
    clock += 2_000; // second backoff: 2 s
    await w.drain();
    expect(calls).toBe(3);
    const [card, note] = await store.listEffects();
    expect(card).toMatchObject({ state: 'failed', attempts: 3, lastError: 'ratelimited' });
    // A failure kept in sight no longer holds back the request's next effect.
    expect(note?.state).toBe('done');
    expect(await store.outboxHealth()).toEqual({
      pending: 0,
      failed: [{ kind: 'card', count: 1 }],
      oldestPendingAt: undefined,
    });
  });

  it('fails at once what can never succeed: a permanent error, or a kind without a handler', async () => {
    await store.addEffects(
      [
        { kind: 'card', key: 'c', requestId: 'r-1' },
        { kind: 'unknown_kind', key: 'u', requestId: 'r-2' },
      ],
      iso(),
    );
    await worker({
      card: async () => {
        throw new PermanentEffectError('request r-1 is not in the store');
      },
    }).drain();
    const effects = await store.listEffects();
    expect(effects.map((e) => [e.key, e.state, e.attempts, e.lastError])).toEqual([
      ['c', 'failed', 1, 'request r-1 is not in the store'],
      ['u', 'failed', 1, 'no handler for effect kind unknown_kind'],
    ]);
  });

  it('a deliverer that lost its claim cannot save progress or settle; the next one resumes from the progress', async () => {
    await store.addEffects([{ kind: 'card', key: 'c', requestId: 'r-1' }], iso());
    const progress: (Record<string, unknown> | undefined)[] = [];
    let release: () => void = () => {};
    const slow = worker(
      {
        card: async (d) => {
          await d.saveProgress({ posted: { channel: 'C1', ts: '1.1' } });
          await new Promise<void>((r) => {
            release = r;
          });
          await d.saveProgress({ late: true });
        },
      },
      'w-slow',
    );
    const first = slow.drain();
    await new Promise((r) => setTimeout(r, 20));
    clock += 31_000; // its claim lapses (30 s)
    await worker(
      {
        card: async (d) => {
          progress.push(d.effect.progress);
        },
      },
      'w-next',
    ).drain();
    release();
    await first;
    expect(progress).toEqual([{ posted: { channel: 'C1', ts: '1.1' } }]);
    const [effect] = await store.listEffects();
    expect(effect).toMatchObject({
      state: 'done',
      attempts: 2,
      progress: { posted: { channel: 'C1', ts: '1.1' } },
    });
  });
});
