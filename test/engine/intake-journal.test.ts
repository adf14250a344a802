import { beforeEach, describe, expect, it } from 'vitest';
import type { JournaledAsk } from '../../src/engine/engine.js';
import { MAX_INTAKE_ATTEMPTS, NOT_RECORDED_TEXT } from '../../src/engine/intake-journal.js';
import { MemorySystem, world } from './world.js';

const LEASE_MS = 30_000;
/** The world's clock at the start. */
const START = Date.parse('2026-12-01T10:00:00.000Z');

/** The intake journal: an acknowledged submission becomes its request or a refusal, exactly once. */
describe('engine intake journal', () => {
  let w: ReturnType<typeof world>;
  let elapsed = 0;
  const tick = (ms: number) => {
    elapsed += ms;
    w.advance(ms);
  };
  const iso = (offsetMs = 0) => new Date(START + elapsed + offsetMs).toISOString();
  const ask = (over: Partial<JournaledAsk> = {}): JournaledAsk => ({
    source: 'slash_command',
    requester: { kind: 'slack', id: 'UREQ' },
    people: [{ kind: 'user', userId: 'UALICE' }],
    systems: ['mattermost'],
    slackScope: 'all',
    reason: 'INC-1',
    origin: { channelId: 'C1' },
    idempotencyKey: 'view:V1',
    ...over,
  });

  beforeEach(async () => {
    const mm = new MemorySystem('mattermost', 'Mattermost').add('alice@example.com', 'mm-alice', ['s1']);
    w = world([mm]);
    elapsed = 0;
    await w.ready();
    w.directory
      .add('UREQ', 'bob@example.com')
      .add('UALICE', 'alice@example.com')
      .add('UGONE', 'gone@example.com', { deleted: true });
  });

  it('journals before the ack, then records the request and completes the entry in one write', async () => {
    const entry = await w.engine.receive(ask());
    expect(entry).toMatchObject({ attempts: 1, replayed: false, ask: { idempotencyKey: 'view:V1' } });
    const journaled = await w.store.getIntake('view:V1');
    expect(journaled).toMatchObject({
      state: 'pending',
      actor: 'slack:UREQ',
      channelId: 'C1',
      attempts: 1,
      form: { source: 'slash_command', people: [{ kind: 'user', userId: 'UALICE' }], reason: 'INC-1' },
    });
    expect(journaled?.form).not.toHaveProperty('idempotencyKey');
    // The same form again (same view): journaled already, nothing to do.
    expect(await w.engine.receive(ask())).toBeUndefined();

    const result = entry && (await w.engine.recordJournaled(entry));
    if (!result?.ok) throw new Error('refused');
    expect(result).toMatchObject({ created: true, next: 'run' });
    expect(result.request.idempotencyKey).toBe('view:V1');
    expect(await w.store.getIntake('view:V1')).toMatchObject({ state: 'done', requestId: result.request.id });
    // Settled: never taken over, however long after.
    tick(10 * LEASE_MS);
    expect(await w.engine.dueJournaled()).toEqual([]);
  });

  it('a refusal closes the entry with the reason, once', async () => {
    const entry = await w.engine.receive(ask({ people: [{ kind: 'user', userId: 'UGONE' }] }));
    if (!entry) throw new Error('not journaled');
    const result = await w.engine.recordJournaled(entry);
    expect(result).toMatchObject({ ok: false, code: 'no_person' });
    expect(await w.store.getIntake('view:V1')).toMatchObject({
      state: 'refused',
      message: expect.stringContaining('deactivated'),
    });
    expect(await w.store.listRequestsForTarget('UGONE', 5)).toEqual([]);
    tick(10 * LEASE_MS);
    expect(await w.engine.dueJournaled()).toEqual([]);
    // Nothing was recorded for it: the same form sent again is a new submission, asked afresh.
    const again = await w.engine.receive(ask());
    expect(again).toMatchObject({ attempts: 1, replayed: false });
    const result2 = again && (await w.engine.recordJournaled(again));
    expect(result2).toMatchObject({ ok: true, created: true });
    expect(await w.store.getIntake('view:V1')).toMatchObject({ state: 'done', message: undefined });
  });

  it('a recording that failed stays pending and is taken over after its lease, with the same key', async () => {
    const entry = await w.engine.receive(ask());
    if (!entry) throw new Error('not journaled');
    const create = w.store.createRequest.bind(w.store);
    w.store.createRequest = async () => {
      throw new Error('disk full');
    };
    await expect(w.engine.recordJournaled(entry)).rejects.toThrow('disk full');
    w.store.createRequest = create;
    expect((await w.store.getIntake('view:V1'))?.state).toBe('pending');
    // Still within its lease: nobody takes it.
    tick(LEASE_MS - 1_000);
    expect(await w.engine.dueJournaled()).toEqual([]);
    tick(2_000);
    const [again, ...rest] = await w.engine.dueJournaled();
    expect(rest).toEqual([]);
    expect(again).toMatchObject({ attempts: 2, replayed: true, receivedAt: entry.receivedAt });
    expect(again?.ask).toEqual(entry.ask);
    // Taken (and held): the next round does not take it twice.
    tick(LEASE_MS + 1_000);
    expect(await w.engine.dueJournaled()).toEqual([]);
    const result = again && (await w.engine.recordJournaled(again));
    if (!result?.ok) throw new Error('refused');
    expect(result.created).toBe(true);
    expect(await w.store.listRequestsForTarget('UALICE', 5)).toHaveLength(1);
  });

  it('a process whose entry was taken over records nothing and tells nobody', async () => {
    const entry = await w.engine.receive(ask());
    const gone = await w.engine.receive(
      ask({ idempotencyKey: 'view:V2', people: [{ kind: 'user', userId: 'UGONE' }] }),
    );
    if (!entry || !gone) throw new Error('not journaled');
    // This process stalled past its lease; another replica took both entries over.
    tick(LEASE_MS + 1_000);
    for (const key of ['view:V1', 'view:V2'])
      expect(await w.store.claimIntake(key, 'other-replica', iso(LEASE_MS), iso())).toBeDefined();
    expect(await w.engine.recordJournaled(entry)).toBeUndefined();
    expect(await w.store.listRequestsForTarget('UALICE', 5)).toEqual([]);
    expect(await w.actions()).toEqual([]);
    // A refusal is not this process's to make either: the new holder decides, and tells.
    expect(await w.engine.recordJournaled(gone)).toBeUndefined();
    expect(await w.store.getIntake('view:V2')).toMatchObject({ state: 'pending', owner: 'other-replica' });
  });

  it(`gives up after ${MAX_INTAKE_ATTEMPTS} attempts: refused, audited, and the requester is to be told`, async () => {
    const { idempotencyKey: key, ...form } = ask();
    const entry = { key, actor: 'slack:UREQ', form, channelId: 'C1' };
    await w.store.journalIntake(entry, 'dead-1', iso(LEASE_MS), iso());
    // Every process that takes it over dies before recording it (the form crashes it, say).
    for (let attempt = 2; attempt <= MAX_INTAKE_ATTEMPTS; attempt++) {
      tick(LEASE_MS + 1_000);
      const taken = await w.store.claimIntake(key, `dead-${attempt}`, iso(LEASE_MS), iso());
      expect(taken?.attempts).toBe(attempt);
    }
    tick(LEASE_MS + 1_000);
    const [last] = await w.engine.dueJournaled();
    expect(last?.attempts).toBe(MAX_INTAKE_ATTEMPTS + 1);
    const result = last && (await w.engine.recordJournaled(last));
    expect(result).toEqual({
      ok: false,
      code: 'not_recorded',
      message: NOT_RECORDED_TEXT,
      refusedPeople: [],
    });
    expect(await w.store.getIntake(key)).toMatchObject({ state: 'refused', message: NOT_RECORDED_TEXT });
    expect(await w.store.listRequestsForTarget('UALICE', 5)).toEqual([]);
    const audit = await w.store.listAudit();
    expect(audit.map((a) => [a.actor, a.action, a.data])).toEqual([
      [
        'slack:UREQ',
        'request_refused',
        { why: 'could not be recorded', via: 'slash_command', attempts: MAX_INTAKE_ATTEMPTS },
      ],
    ]);
  });
});
