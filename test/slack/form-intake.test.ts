import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NOT_JOURNALED_TEXT } from '../../src/slack/listeners/views/revoke-request-submission.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness } from '../helpers/harness.js';

/** The form's ack means "recorded": the submission is journaled before Slack gets it, or refused. */
describe('a submitted form is journaled before its ack (real Bolt over HTTP)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    h.slack.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
  });
  afterEach(async () => {
    expect(h.slack.violations).toEqual([]);
    await h.close();
  });

  it('is in the journal when Slack gets the ack, and done with its request once recorded', async () => {
    // A slow journal write: the ack waits for it.
    const store = h.app.store;
    const journal = store.journalIntake.bind(store);
    let journaledAt = Number.POSITIVE_INFINITY;
    store.journalIntake = async (...args) => {
      await new Promise((r) => setTimeout(r, 300));
      const written = await journal(...args);
      journaledAt = performance.now();
      return written;
    };
    const res = await h.interact(submission(formValues({})));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(journaledAt).toBeLessThan(performance.now());
    const atAck = await h.app.store.getIntake('view:VSUBMIT');
    expect(atAck).toMatchObject({ actor: 'slack:UREQ', channelId: 'C0SEC', attempts: 1 });
    expect(atAck?.form).toMatchObject({
      source: 'slash_command',
      people: [{ kind: 'user', userId: 'UALICE' }],
      systems: ['slack'],
      reason: 'INC-42: phished',
    });
    const [request] = await h.slack.waitFor(async () => {
      const found = await h.app.store.listRequestsForTarget('UALICE', 5);
      return found.length > 0 && found;
    });
    await expect.poll(async () => (await h.app.store.getIntake('view:VSUBMIT'))?.state).toBe('done');
    expect((await h.app.store.getIntake('view:VSUBMIT'))?.requestId).toBe(request?.id);
    // Submitted again (the same view): one request.
    const again = await h.interact(submission(formValues({})));
    expect(await again.text()).toBe('');
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.app.store.listRequestsForTarget('UALICE', 5)).toHaveLength(1);
  });

  it('answers the form with an error, never "accepted", when the journal cannot be written', async () => {
    const store = h.app.store;
    store.journalIntake = async () => {
      throw new Error('SQLITE_FULL: database or disk is full');
    };
    const res = await h.interact(submission(formValues({})));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      response_action: 'errors',
      errors: { target: NOT_JOURNALED_TEXT },
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.app.store.listRequestsForTarget('UALICE', 5)).toEqual([]);
    expect(h.slack.callsTo('users.info')).toEqual([]);
    expect(h.logs.join('\n')).toContain('a submitted form (view:VSUBMIT) could not be journaled');
  });
});
