import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RevocationRequest } from '../../src/engine/types.js';
import { SYSTEM_IDS, type SystemId, systemById } from '../../src/providers/registry.js';
import { FAKE_SYSTEMS, type FakeSystem } from '../fakes/systems.js';
import { buttonClick } from '../helpers/actions.js';
import { blockText, findBlock, isApprovalCard } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

/**
 * Every registered system configured against its fake: one approved /revoke-sessions revokes the
 * person everywhere they have an account, identity providers first; where they have none, the
 * step says so. Written over the registry, so each new system is in it without a change here.
 */
describe('one approved request through every registered system', () => {
  const others = SYSTEM_IDS.filter((id) => id !== 'slack');
  const fakes = new Map<SystemId, FakeSystem>(others.map((id) => [id, FAKE_SYSTEMS[id]()]));
  // Alice has no account in the last downstream system of the registry.
  const missing = [...others].reverse().find((id) => !systemById(id).capabilities.identityProvider);
  const isIdp = (id: SystemId) => systemById(id).capabilities.identityProvider === true;
  let h: Harness;
  let request: RevocationRequest;

  beforeAll(async () => {
    await Promise.all([...fakes.values()].map((f) => f.start()));
    for (const [id, fake] of fakes) {
      fake.addPerson({ name: 'bob', email: 'bob@example.com', sessions: 1 });
      if (id !== missing) fake.addPerson({ name: 'alice', email: 'alice@example.com', sessions: 2 });
    }
    const env = Object.assign({}, ...[...fakes.values()].map((f) => f.env())) as Record<string, string>;
    h = await startHarness({
      ...env,
      REVOKE_REQUIRE_APPROVAL: 'true',
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      REVOKE_APPROVERS: 'UAPP1',
    });
    h.slack.addUser(user('UAPP1', 'app1@example.com'));
    h.slack.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
    await h.interact(submission(formValues({ target: 'UALICE', systems: [...SYSTEM_IDS] })));
    const card = await h.slack.waitFor(() => h.slack.messages.find(isApprovalCard));
    const [pending] = await h.app.store.listRequestsForTarget('UALICE', 1);
    if (!pending) throw new Error('no request recorded');
    // The card says the identity providers go first (when there are any).
    if (SYSTEM_IDS.some(isIdp)) expect(blockText(card.blocks, 'order')).toMatch(/first \(single sign-on\)/);
    else expect(findBlock(card.blocks, 'order')).toBeUndefined();
    await h.interact(
      buttonClick({
        userId: 'UAPP1',
        actionId: 'approve_request',
        value: pending.id,
        channel: 'C0APPROVE',
        messageTs: card.ts,
      }),
    );
    request = await h.slack.waitFor(async () => {
      const r = await h.app.store.getRequest(pending.id);
      return r && !['pending_approval', 'approved', 'running'].includes(r.status) ? r : undefined;
    }, 30_000);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await Promise.all([...fakes.values()].map((f) => f.close()));
  });

  it('revokes the person in every system where they have an account, and nobody else', async () => {
    const steps = await h.app.store.listSteps(request.id);
    expect(steps.map((s) => s.system).sort()).toEqual([...SYSTEM_IDS].sort());
    for (const step of steps) {
      if (step.system === missing) expect(step.state, step.system).toBe('no_account');
      else expect(['revoked', 'queued'], step.system).toContain(step.state);
    }
    for (const [id, fake] of fakes) {
      expect(fake.revokedAll('alice'), id).toBe(id !== missing);
      expect(fake.revokedAll('bob'), id).toBe(false);
    }
    expect(h.slack.sessions).toEqual([]);
  });

  it('ran the identity providers first: no downstream step started before they all finished', async () => {
    const audit = await h.app.store.listAudit({ requestId: request.id });
    const seqOf = (action: string, pick: (id: SystemId) => boolean) =>
      audit.filter((a) => a.action === action && pick(a.data.system as SystemId)).map((a) => a.seq);
    const idpFinished = seqOf('step_finished', isIdp);
    const downstreamStarted = seqOf('step_started', (id) => !isIdp(id));
    expect(downstreamStarted.length).toBeGreaterThan(0);
    if (idpFinished.length > 0)
      expect(Math.min(...downstreamStarted)).toBeGreaterThan(Math.max(...idpFinished));
  });
});
