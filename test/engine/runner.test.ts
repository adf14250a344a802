import { beforeEach, describe, expect, it } from 'vitest';
import type { RunObserver } from '../../src/engine/observer.js';
import type { Ask } from '../../src/engine/request.js';
import type { RevocationRequest } from '../../src/engine/types.js';
import { MemorySystem, vendorError, world } from './world.js';

/** The runner: steps, what a display answers, and the stored plan that execution is checked against. */
describe('engine.run', () => {
  let mm: MemorySystem;
  let hw: MemorySystem;
  let w: ReturnType<typeof world>;
  const ask = (over: Partial<Ask> = {}): Ask => ({
    source: 'slash_command',
    requester: { kind: 'slack', id: 'UREQ' },
    people: [{ kind: 'user', userId: 'UALICE' }],
    systems: ['mattermost', 'huawei'],
    slackScope: 'all',
    reason: 'INC-2',
    ...over,
  });
  const recorded = async (over: Partial<Ask> = {}): Promise<RevocationRequest> => {
    const result = await w.engine.ask(ask(over));
    if (!result.ok) throw new Error(result.message);
    return result.request;
  };

  beforeEach(async () => {
    mm = new MemorySystem('mattermost', 'Mattermost').add('alice@example.com', 'mm-alice', ['s1', 's2']);
    hw = new MemorySystem('huawei', 'Huawei Cloud').add('alice@example.com', 'hw-alice', ['h1']);
    w = world([mm, hw]);
    await w.ready();
    w.directory
      .add('UREQ', 'bob@example.com')
      .add('UALICE', 'alice@example.com')
      .add('UAPP', 'a@example.com');
  });

  it('runs every system, verifies by listing again, and records each step and the run in order', async () => {
    const request = await recorded();
    const final = await w.engine.run(request.id);
    expect(final?.status).toBe('done');
    expect(final?.summary).toBe('2 revoked');
    const steps = await w.store.listSteps(request.id);
    expect(steps.map((s) => [s.system, s.state, s.result?.remaining])).toEqual([
      ['mattermost', 'revoked', 0],
      ['huawei', 'revoked', 0],
    ]);
    const actions = await w.actions();
    expect(actions[0]).toBe('request_created');
    expect(actions[1]).toBe('run_started');
    expect(actions.filter((a) => a === 'step_started')).toHaveLength(2);
    expect(actions.filter((a) => a === 'step_finished')).toHaveLength(2);
    expect(actions.at(-1)).toBe('run_finished');
  });

  it('writes the results thread to the outbox with the run, tells its observer, and never runs a request twice', async () => {
    const request = await recorded();
    const seen: string[] = [];
    const display: RunObserver = {
      requestStarted: async (r) => {
        seen.push(`started ${r.status}`);
      },
      stepFinished: async (_r, step) => {
        seen.push(`${step.system} ${step.state}`);
      },
      requestFinished: async (r) => {
        seen.push(`finished ${r.status}`);
      },
    };
    await w.engine.run(request.id, display);
    expect(seen.sort()).toEqual(['finished done', 'huawei revoked', 'mattermost revoked', 'started running']);
    // The parent with the claim, a reply with each step's outcome, the final redraw with run_finished,
    // and the Homes showing the request published again when it is created and when it finishes.
    expect((await w.store.listEffects(request.id)).map((e) => e.key)).toEqual([
      `home_publish:${request.id}:created`,
      `thread_parent:${request.id}`,
      expect.stringMatching(new RegExp(`^step_reply:${request.id}:(mattermost|huawei)$`)),
      expect.stringMatching(new RegExp(`^step_reply:${request.id}:(mattermost|huawei)$`)),
      `thread_redraw:${request.id}:final`,
      `home_publish:${request.id}:finished`,
    ]);
    expect(await w.engine.run(request.id, display)).toBeUndefined();
    expect(mm.revoked).toHaveLength(1);
  });

  it('refuses a system whose account is not the one the approver was shown', async () => {
    const request = await recorded({ source: 'api', requester: { kind: 'api', id: 'edr' } });
    // Between the card and the click, the email moved to another Mattermost account.
    mm.accounts.set('alice@example.com', [
      { system: 'mattermost', id: 'mm-mallory', login: 'alice@example.com' },
    ]);
    await w.engine.decide(request.id, { kind: 'slack', id: 'UAPP' }, 'approve');
    await w.engine.run(request.id);
    const steps = await w.store.listSteps(request.id);
    const step = steps.find((s) => s.system === 'mattermost');
    expect(step?.state).toBe('not_allowed');
    expect(step?.result?.detail).toMatch(/not the one the approver was shown/);
    expect(mm.revoked).toEqual([]);
    expect(steps.find((s) => s.system === 'huawei')?.state).toBe('revoked');
  });

  it('keeps the vendor’s hint with a failed step (what to do reaches the thread and the CLI)', async () => {
    mm.failNext = vendorError('the token lacks a permission', 'Give the bot edit_other_users.');
    const request = await recorded({ systems: ['mattermost'] });
    const final = await w.engine.run(request.id);
    expect(final?.status).toBe('failed');
    const [step] = await w.store.listSteps(request.id);
    expect(step?.result?.error).toMatchObject({
      vendorCode: 'missing_scope',
      hint: 'Give the bot edit_other_users.',
    });
  });

  it('resumes a request whose runner died, after its lease, and finishes only what is left', async () => {
    const request = await recorded();
    // A runner that claimed it and died after finishing Mattermost.
    await w.store.claim(
      request.id,
      'dead',
      new Date(Date.parse('2026-12-01T10:00:30.000Z')).toISOString(),
      request.createdAt,
    );
    await w.store.finishStep(
      request.id,
      'mattermost',
      { state: 'revoked', finishedAt: request.createdAt },
      { requestId: request.id, actor: 'engine', action: 'step_finished' },
      request.createdAt,
    );
    expect(await w.engine.resumeRunnable(() => undefined)).toBe(0); // the lease still holds
    w.advance(31_000);
    expect(await w.engine.resumeRunnable(() => undefined)).toBe(1);
    expect(mm.revoked).toEqual([]);
    expect(hw.revoked).toHaveLength(1);
    expect((await w.actions()).filter((a) => a.startsWith('run_'))).toEqual(['run_resumed', 'run_finished']);
  });

  it('runs identity providers first and the downstream systems right after', async () => {
    const idp = new MemorySystem('okta' as 'mattermost', 'Okta', {
      listSessions: false,
      revokeSelected: false,
      asyncRevoke: false,
      scopes: false,
      identityProvider: true,
      listingCoversRevokeAll: false,
    }).add('alice@example.com', 'okta-alice');
    const events: string[] = [];
    for (const s of [idp, mm, hw]) s.events = events;
    w = world([mm, idp, hw]);
    await w.ready();
    w.directory.add('UREQ', 'bob@example.com').add('UALICE', 'alice@example.com');
    const request = await recorded({ systems: ['mattermost', 'okta' as 'mattermost', 'huawei'] });
    expect(request.plan?.firstSystems).toEqual(['okta']);
    await w.engine.run(request.id);
    const idpDone = events.indexOf('okta:revoke');
    expect(idpDone).toBeGreaterThanOrEqual(0);
    expect(events.slice(0, idpDone + 1).filter((e) => !e.startsWith('okta:'))).toEqual([]);
    expect(events.filter((e) => e.endsWith(':revoke'))).toEqual([
      'okta:revoke',
      'mattermost:revoke',
      'huawei:revoke',
    ]);
  });
});
