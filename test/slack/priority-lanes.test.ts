import { afterEach, describe, expect, it } from 'vitest';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, type HarnessOptions, startHarness, user } from '../helpers/harness.js';

/**
 * Priority lanes through the real app: a bulk request keeps to its share of Slack's users.info
 * budget, so a one-person request made while the bulk is looking its people up gets its lookup
 * at once — it finishes before the bulk has looked everyone up — and Slack never has to refuse
 * a call. The budget here is 4 lookups in 2 s, 25% of it reserved (bulk: 3 in 2 s).
 */
describe('priority lanes: one person overtakes a bulk', () => {
  let h: Harness;
  afterEach(() => h.close());

  const bulk = Array.from({ length: 8 }, (_, i) => `UB${String(i).padStart(2, '0')}`);
  const lookups = (ids: string[]) =>
    h.slack.callsTo('users.info').filter((c) => ids.includes(String(c.args.user)));
  const finalOf = (target: string) =>
    h.slack.waitFor(async () => {
      const [r] = await h.app.store.listRequestsForTarget(target, 1);
      return r && ['done', 'partially_failed', 'failed'].includes(r.status) ? r : undefined;
    }, 8_000);

  async function overtake(options: HarnessOptions = {}) {
    h = await startHarness(
      { REVOKE_RATE_LIMITS: 'slack:users.info=4/2s', REVOKE_URGENT_RESERVE: '25%' },
      options,
    );
    h.slack.rateLimits.set('users.info', { max: 4, windowMs: 2_000 });
    for (const id of [...bulk, 'UURGENT']) h.slack.addUser(user(id, `${id.toLowerCase()}@example.com`));
    h.slack.sessions = [...bulk, 'UURGENT'].map((id, i) => ({
      user_id: id,
      session_id: 100 + i,
      team_id: 'T1',
      created: { os: 'Mac' },
      kind: 'desktop' as const,
    }));

    const [first, ...rest] = bulk;
    const values = formValues({ target: first ?? '' });
    values.more_targets = { more_targets_selected: { type: 'multi_users_select', selected_users: rest } };
    await h.interact(submission(values));
    // The bulk has used its share of the first window.
    await h.slack.waitFor(() => (lookups(bulk).length >= 3 ? true : undefined));

    const urgentForm = formValues({ target: 'UURGENT' });
    await h.interact(submission(urgentForm, undefined, 'UREQ', 'VURGENT'));
    const urgent = await finalOf('UURGENT');
    expect(urgent.status).toBe('done');
    expect(lookups(bulk).length).toBeLessThan(bulk.length);
    // Its lookup took the reserved slot of the window the bulk had filled: no bulk lookup went before it.
    const order = h.slack.callsTo('users.info').map((c) => String(c.args.user));
    expect(order.indexOf('UURGENT')).toBe(3);

    const request = await finalOf(first ?? '');
    expect(request.status).toBe('done');
    expect(lookups(bulk)).toHaveLength(bulk.length);
    expect(h.slack.rateLimitedBy.get('users.info') ?? 0).toBe(0);
    expect(h.slack.sessions).toEqual([]);
  }

  it(
    'the one-person request finishes while the bulk is still recording, and no call is refused',
    () => overtake(),
    30_000,
  );

  it(
    'a bulk still recording never holds the form slots: one slot is enough for the urgent request',
    () => overtake({ workQueue: { concurrency: 1, reserved: 0 } }),
    30_000,
  );
});
