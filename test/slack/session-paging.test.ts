import { afterEach, describe, expect, it } from 'vitest';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness } from '../helpers/harness.js';

describe('Slack session paging that never ends', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('a looping cursor makes verification "could not verify", never "no sessions left"', async () => {
    h = await startHarness();
    h.slack.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
      { user_id: 'UALICE', session_id: 2, team_id: 'T1', created: { os: 'iOS' }, kind: 'mobile' },
    ];
    h.slack.sessionPageSize = 1;
    h.slack.loopSessionCursor = true;
    expect((await h.interact(submission(formValues({ systems: ['slack'] })))).status).toBe(200);
    const request = await h.slack.waitFor(async () => {
      const [r] = await h.app.store.listRequestsForTarget('UALICE', 1);
      return r && !['pending_approval', 'approved', 'running'].includes(r.status) ? r : undefined;
    }, 15_000);
    const [step] = await h.app.store.listSteps(request.id);
    expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(1);
    expect(step?.result?.remaining).toBeUndefined();
    expect(step?.result?.detail).toMatch(/could not list again to verify/);
    // Bounded: the walk stopped at the repeated cursor instead of paging forever.
    expect(h.slack.callsTo('admin.users.session.list').length).toBeLessThan(10);
  });
});
