import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINAL_STATUSES } from '../../src/engine/types.js';
import { FakeGoogle } from '../fakes/google.js';
import { replyText } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

/**
 * At offboarding, a departed person's address is often made an alias of their manager's account.
 * Google answers a lookup of an alias with the account that holds it: revoking alice@ must never
 * sign Bob out. One rule in every system: an address that is only another account's alias is not
 * that person.
 */
describe('an address that is another account’s alias is not that person (Google Workspace)', () => {
  const google = new FakeGoogle();
  let h: Harness;

  beforeAll(async () => {
    await google.start();
    google.users.push({
      id: 'g-bob',
      primaryEmail: 'bob.manager@example.com',
      aliases: ['alice@example.com'],
      fullName: 'Bob Manager',
    });
    google.grants = [
      { userId: 'g-bob', clientId: '222.apps.googleusercontent.com', displayText: 'Mail', scopes: ['email'] },
    ];
    h = await startHarness({ ...google.env() });
    h.slack.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
    h.slack.addUser(user('UBOBM', 'bob.manager@example.com'));
  });
  afterAll(async () => {
    await h?.close();
    await google.close();
  });

  it('revoking alice@ leaves Bob signed in, and the thread says the address is an alias', async () => {
    await h.interact(submission(formValues({ target: 'UALICE', systems: ['slack', 'google'] })));
    const request = await h.slack.waitFor(async () => {
      const [r] = await h.app.store.listRequestsForTarget('UALICE', 1);
      return r && FINAL_STATUSES.includes(r.status) ? r : undefined;
    }, 15_000);
    const steps = await h.app.store.listSteps(request.id);
    const g = steps.find((s) => s.system === 'google');
    expect(g?.state).toBe('not_allowed');
    expect(g?.account).toBeUndefined();
    expect(google.signedOut).toEqual([]);
    expect(google.grants.map((x) => x.userId)).toEqual(['g-bob']);
    // Slack, where alice@ is Alice's own address, still ran.
    expect(steps.find((s) => s.system === 'slack')?.state).toBe('revoked');
    const reply = await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.thread_ts && /^Google Workspace/.test(m.text ?? '')),
    );
    expect(replyText(reply)).toMatch(
      /alice@example\.com is an alias of another account \(bob\.manager@example\.com\)/,
    );
    expect(replyText(reply)).toMatch(/not revoked/);
  });
});
