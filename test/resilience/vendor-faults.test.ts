import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemLabel } from '../../src/providers/registry.js';
import { FakeBox } from '../fakes/box.js';
import { FakeHuawei } from '../fakes/huawei.js';
import { FakeMattermost } from '../fakes/mattermost.js';
import type { FakeVendor, Fault } from '../fakes/vendor.js';
import { cardStatus, replyText } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness } from '../helpers/harness.js';

/** The harness's retry budget: 3 attempts. */
const MAX_ATTEMPTS = 3;
const FAULTS: [string, Fault, string][] = [
  ['429 + Retry-After', { status: 429, retryAfter: 0 }, 'rate_limited'],
  ['500', { status: 500 }, 'vendor_unavailable'],
  ['503', { status: 503 }, 'vendor_unavailable'],
  // The late answer is an error too, so a request the client gave up on cannot change state after the test.
  ['timeout', { delayMs: 700, status: 504 }, 'vendor_unavailable'],
  ['connection reset', { reset: true }, 'vendor_unavailable'],
  ['malformed JSON', { malformed: true }, 'malformed_response'],
];
const VENDORS = [
  { system: 'box', label: systemLabel('box'), route: 'terminate_sessions' },
  { system: 'mattermost', label: systemLabel('mattermost'), route: 'revoke_all' },
  { system: 'huawei', label: systemLabel('huawei'), route: 'batch_delete' },
] as const;

describe('every vendor fault ends in a truthful state, within the retry bound, told in the thread', () => {
  let h: Harness;
  const box = new FakeBox();
  const mm = new FakeMattermost();
  const hw = new FakeHuawei();
  const fakes: Record<string, FakeVendor> = { box, mattermost: mm, huawei: hw };
  let n = 0;

  beforeAll(async () => {
    await Promise.all([box.start(), mm.start(), hw.start()]);
    h = await startHarness({ ...box.env(), ...mm.env(), ...hw.env() }, { vendorTimeoutMs: 300 });
  });
  afterAll(async () => {
    await h.close();
    await Promise.all([box.close(), mm.close(), hw.close()]);
  });

  function reset() {
    h.slack.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
    box.users.splice(0, box.users.length, { id: 'b1', login: 'alice@example.com', name: 'Alice' });
    mm.users.splice(0, mm.users.length, { id: 'm1', email: 'alice@example.com', username: 'alice' });
    mm.sessions = [{ id: 'ms1', user_id: 'm1', token: 't', create_at: 1, last_activity_at: 2 }];
    hw.users.splice(0, hw.users.length, {
      user_id: 'h1',
      user_name: 'alice',
      emails: [{ value: 'alice@example.com' }],
    });
    hw.sessions = [{ session_id: 'hs1', user_id: 'h1', creation_time: 1753858567 }];
  }

  async function run() {
    n += 1;
    const before = h.slack.messages.length;
    await h.interact(
      submission(
        formValues({ systems: ['slack', 'box', 'mattermost', 'huawei'] }),
        undefined,
        'UREQ',
        `VF${n}`,
      ),
    );
    const parent = await h.slack.waitFor(
      () =>
        h.slack.messages
          .slice(before)
          .find((m) => !m.thread_ts && /Finished|Failed/.test(cardStatus(m.blocks) ?? '')),
      15_000,
    );
    const request = await h.slack.waitFor(async () => {
      const [r] = await h.app.store.listRequestsForTarget('UALICE', 1);
      return r && ['done', 'partially_failed', 'failed'].includes(r.status) ? r : undefined;
    });
    const steps = await h.app.store.listSteps(request.id);
    await h.delivered();
    const replies = h.slack.messages.filter((m) => m.thread_ts === parent.ts);
    return { request, steps, replies };
  }

  for (const vendor of VENDORS) {
    for (const [name, fault, code] of FAULTS) {
      it(
        `${vendor.label}: persistent ${name} → failed (${code}) and said so; the others finish`,
        { timeout: 30_000 },
        async () => {
          reset();
          const fake = fakes[vendor.system];
          if (!fake) throw new Error('no fake');
          const calls = fake.requestsTo(vendor.route).length;
          fake.failNext(vendor.route, ...Array.from({ length: MAX_ATTEMPTS + 2 }, () => fault));
          const { request, steps, replies } = await run();
          const step = steps.find((s) => s.system === vendor.system);
          if (vendor.system === 'huawei' && name === 'malformed JSON') {
            // batch-delete answers an empty body, so garbage is not detectable there; the listing afterwards tells the truth.
            expect(step?.state).toBe('partial');
            expect(step?.result?.remaining).toBe(1);
          } else {
            expect(step?.state).toBe('failed');
            expect(step?.result?.error?.code).toBe(code);
          }
          expect(fake.requestsTo(vendor.route).length - calls).toBeLessThanOrEqual(MAX_ATTEMPTS);
          expect(request.status).toBe('partially_failed');
          expect(
            steps
              .filter((s) => s.system !== vendor.system)
              .every((s) => s.state === 'revoked' || s.state === 'queued'),
          ).toBe(true);
          const reply = replies.find((r) => r.text?.startsWith(`${vendor.label}:`));
          expect(replyText(reply)).toMatch(
            new RegExp(`\\*${vendor.label}\\* — (failed|revoke accepted, but sessions remain)`),
          );
        },
      );

      // A malformed answer is not retried (the call may have taken effect); the other faults are.
      const retried = name !== 'malformed JSON';
      it(
        `${vendor.label}: one ${name}, then ${retried ? 'success → done' : 'no retry → reported'}`,
        { timeout: 30_000 },
        async () => {
          reset();
          const fake = fakes[vendor.system];
          if (!fake) throw new Error('no fake');
          // drain leftovers from the previous case
          (fake as unknown as { faults: Map<string, Fault[]> }).faults.delete(vendor.route);
          fake.failNext(vendor.route, fault);
          const { request } = await run();
          expect(request.status).toBe(retried ? 'done' : 'partially_failed');
        },
      );
    }
  }
});
