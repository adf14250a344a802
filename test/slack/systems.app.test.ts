/**
 * Every registered system through the real app, the same cases for each: the real Bolt app over
 * signed HTTP, the system's fake vendor over HTTP, a real SQLite store. A system is covered by
 * its row in {@link EXPECTED} (the table does not typecheck without one); what is the same for
 * every system is derived from the registry (its label, whether it lists sessions).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINAL_STATUSES, type RevocationStep, type StepState } from '../../src/engine/types.js';
import { ENTRA_REVOKED_DETAIL } from '../../src/providers/entra/index.js';
import { SYSTEM_IDS, type SystemId, systemById } from '../../src/providers/registry.js';
import { FAKE_SYSTEMS, type FakeSystem, type SeedPerson, slackSystem } from '../fakes/systems.js';
import { approveClick } from '../helpers/actions.js';
import {
  blockText,
  cardStatus,
  findBlock,
  inputElement,
  isApprovalCard,
  replyText,
} from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

/** What differs between systems as the app shows them. */
interface Expected {
  /** The account the preview names for alice@example.com. */
  login: string;
  /** What the preview shows of Alice's sessions (last used as {@link SEEN} says), where the system lists them. */
  previewDetail?: string;
  /** The step's state once revoke-all reached the vendor. */
  done: Extract<StepState, 'revoked' | 'queued'>;
  /** What the thread's reply for the system says of it: the first phrase right after "*Label* — ". */
  says: string[];
  /**
   * Whether a person the app can name can have no account in the system. Not in Slack: the
   * person is named by their Slack user, so Slack always has their account.
   */
  canLackAccount: boolean;
}

const EXPECTED: { readonly [K in SystemId]: Expected } = {
  okta: {
    login: 'alice@example.com',
    done: 'revoked',
    says: ['sessions revoked (revoked, not verifiable by listing'],
    canLackAccount: true,
  },
  entra: {
    login: 'alice@example.com',
    done: 'revoked',
    says: [
      'sessions revoked (revoked; can take a few minutes; not verifiable by listing',
      ENTRA_REVOKED_DETAIL,
    ],
    canLackAccount: true,
  },
  google: {
    login: 'alice@example.com',
    previewDetail: 'App 1',
    done: 'revoked',
    says: [
      'sessions revoked (signed out of every web and device session',
      'Verified: no OAuth app grants listed afterwards',
    ],
    canLackAccount: true,
  },
  slack: {
    login: 'alice@example.com',
    previewDetail: 'IP 203.0.113.7',
    done: 'revoked',
    says: [
      'sessions revoked (reset (all devices))',
      "Verified: no sessions in the person's workspaces listed afterwards",
    ],
    canLackAccount: false,
  },
  box: {
    login: 'alice@example.com',
    done: 'queued',
    says: ['requested — Box gives no confirmation'],
    canLackAccount: true,
  },
  mattermost: {
    login: 'alice@example.com',
    previewDetail: 'Chrome',
    done: 'revoked',
    says: ['sessions revoked. Verified: no sessions left.'],
    canLackAccount: true,
  },
  huawei: {
    login: 'alice',
    previewDetail: 'IP 203.0.113.7',
    done: 'revoked',
    says: [
      'sessions revoked (batch-delete ends user-portal sessions only; console sessions from a permission set',
      '2 sessions ended. Verified: no sessions left.',
    ],
    canLackAccount: true,
  },
};

/** Where and when the seeded sessions were last used (a documentation address, RFC 5737). */
const SEEN = { ip: '203.0.113.7', at: new Date(Date.now() - 1_800_000) };
/**
 * Alice is revoked; Dave is never named; Erin's revoke meets a vendor that stays down, Frank's a
 * rate limit, Gina's one server error. Carol has a Slack user and nothing else.
 */
const PEOPLE = ['alice', 'dave', 'erin', 'frank', 'gina'] as const;
type Name = (typeof PEOPLE)[number] | 'carol';
const slackId = (name: Name) => `U${name.toUpperCase()}`;
const email = (name: Name) => `${name}@example.com`;
/** The harness's retry policy: attempts of one call. */
const MAX_ATTEMPTS = 3;

describe.each(
  SYSTEM_IDS.map((id) => [systemById(id).label, id] as const),
)('%s through the app', (label, id) => {
  const expected = EXPECTED[id];
  const { capabilities } = systemById(id);
  // Slack's fake is the harness's own: the app's Slack and the Slack system are one organization.
  const vendor = id === 'slack' ? undefined : FAKE_SYSTEMS[id]();
  let system: FakeSystem;
  let h: Harness;

  beforeAll(async () => {
    await vendor?.start();
    h = await startHarness({
      ...vendor?.env(),
      REVOKE_REQUIRE_APPROVAL: 'true',
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      REVOKE_APPROVERS: 'UAPP1',
    });
    system = vendor ?? slackSystem(h.slack);
    h.slack.addUser(user('UAPP1', 'app1@example.com')).addUser(user(slackId('carol'), email('carol')));
    for (const name of PEOPLE) {
      const person: SeedPerson = { name, email: email(name), sessions: 2, seen: SEEN };
      system.addPerson(person);
      if (id !== 'slack') h.slack.addUser(user(slackId(name), person.email));
    }
  }, 30_000);
  afterAll(async () => {
    expect(system.violations()).toEqual([]);
    expect(h.slack.violations).toEqual([]);
    await h?.close();
    await vendor?.close();
  });

  /** Submits a request for one person in this system, checks nothing ran before approval, approves it. */
  async function approveAndFinish(name: Name) {
    const revokesBefore = system.calls(system.routes.revokeAll);
    const seen = h.slack.messages.length;
    // Each request is its own modal (a view submitted twice is one request).
    await h.interact(
      submission(formValues({ target: slackId(name), systems: [id] }), undefined, 'UREQ', `V${name}`),
    );
    const card = await h.slack.waitFor(() => h.slack.messages.slice(seen).find(isApprovalCard));
    const [request] = await h.app.store.listRequestsForTarget(slackId(name), 1);
    if (!request) throw new Error('no request recorded');
    // Nothing reaches the vendor while the request waits for its approver.
    expect(system.calls(system.routes.revokeAll)).toBe(revokesBefore);
    await h.interact(approveClick(request.id, card.ts));
    const final = await h.slack.waitFor(async () => {
      const r = await h.app.store.getRequest(request.id);
      return r && FINAL_STATUSES.includes(r.status) ? r : undefined;
    }, 20_000);
    // The thread is the outbox's to show: wait until it has delivered it.
    await h.delivered();
    const steps = await h.app.store.listSteps(request.id);
    const replies = h.slack.messages.filter((m) => m.thread_ts === card.ts).map(replyText);
    const reply = replies.find((t) => t.includes(`*${label}* — `));
    if (!reply) throw new Error(`no reply for ${label} in ${JSON.stringify(replies)}`);
    // The card says how it ended: finished (whatever each system said), or failed.
    const shown = cardStatus(h.slack.messages.find((m) => m.ts === card.ts)?.blocks);
    expect(shown).toMatch(final.status === 'failed' ? /Failed/ : /Finished/);
    return { status: final.status, step: steps.find((s) => s.system === id) as RevocationStep, reply };
  }

  it('previews the person’s account in the form', async () => {
    await h.command({ text: `<@${slackId('alice')}|alice>` });
    const update = await h.slack.waitFor(() =>
      h.slack.callsTo('views.update').find((c) => findBlock(c.args.view, `preview_${id}`)),
    );
    expect(inputElement(update.args.view, 'systems').options?.map((o) => o.value)).toContain(id);
    const preview = blockText(update.args.view, `preview_${id}`);
    expect(preview).toContain(`*${label}*: account ${expected.login} — `);
    if (capabilities.listSessions) {
      expect(preview).toContain(`${system.liveSessions('alice').length} active sessions`);
      expect(preview).toContain(expected.previewDetail ?? 'a previewDetail in the table');
    } else expect(preview).toContain('cannot list sessions; all will be ended');
    // Dave is not who was asked about: nothing of his shows.
    expect(preview).not.toContain('dave');
  });

  it(
    'after approval, revokes exactly that person’s sessions, and the thread says so',
    { timeout: 30_000 },
    async () => {
      const dave = system.liveSessions('dave');
      const { status, step, reply } = await approveAndFinish('alice');
      expect(status).toBe('done');
      expect(step.state).toBe(expected.done);
      expect(system.revokedAll('alice')).toBe(true);
      expect(system.liveSessions('alice')).toEqual([]);
      expect(system.revokedAll('dave')).toBe(false);
      expect(system.liveSessions('dave')).toEqual(dave);
      expect(reply).toContain(`*${label}* — ${expected.says[0]}`);
      for (const phrase of expected.says) expect(reply).toContain(phrase);
      expect(reply).not.toMatch(/failed/);
    },
  );

  it.runIf(expected.canLackAccount)(
    'a person without an account there: "no account", and nothing is revoked',
    { timeout: 30_000 },
    async () => {
      const revokes = system.calls(system.routes.revokeAll);
      const { status, step, reply } = await approveAndFinish('carol');
      expect(step.state).toBe('no_account');
      expect(status).toBe('done');
      expect(reply).toContain(`*${label}* — no account for this person; nothing to revoke.`);
      expect(system.calls(system.routes.revokeAll)).toBe(revokes);
    },
  );

  it('a vendor that stays down (5xx) is a failed step, never "done"', { timeout: 30_000 }, async () => {
    const { revokeAll } = system.routes;
    const before = system.calls(revokeAll);
    // As many 503s as the harness's retry policy makes attempts.
    for (let i = 0; i < MAX_ATTEMPTS; i++) system.fail(revokeAll, { kind: 'status', status: 503 });
    const { status, step, reply } = await approveAndFinish('erin');
    expect(system.calls(revokeAll) - before).toBe(MAX_ATTEMPTS);
    expect(step.state).toBe('failed');
    expect(status).toBe('failed');
    expect(reply).toContain(`*${label}* — failed: `);
    expect(reply).toContain('HTTP 503');
    expect(reply).not.toMatch(/revoked|requested|queued/);
    expect(system.revokedAll('erin')).toBe(false);
  });

  it(
    'a rate limit with the vendor’s own header is waited out and retried, then revoked',
    { timeout: 30_000 },
    async () => {
      const { revokeAll } = system.routes;
      const before = system.calls(revokeAll);
      system.fail(revokeAll, { kind: 'rate_limited', seconds: 1 });
      const { status, step, reply } = await approveAndFinish('frank');
      const [limited, retried, ...more] = system.callTimes(revokeAll).slice(before);
      expect(more).toEqual([]);
      expect((retried ?? 0) - (limited ?? 0)).toBeGreaterThanOrEqual(950);
      expect(step.state).toBe(expected.done);
      expect(status).toBe('done');
      expect(system.revokedAll('frank')).toBe(true);
      expect(reply).toContain(`*${label}* — ${expected.says[0]}`);
    },
  );

  it('one server error (500) is retried, then revoked', { timeout: 30_000 }, async () => {
    const { revokeAll } = system.routes;
    const before = system.calls(revokeAll);
    system.fail(revokeAll, { kind: 'status', status: 500 });
    const { status, step, reply } = await approveAndFinish('gina');
    expect(system.calls(revokeAll) - before).toBe(2);
    expect(step.state).toBe(expected.done);
    expect(status).toBe('done');
    expect(system.revokedAll('gina')).toBe(true);
    expect(reply).toContain(`*${label}* — ${expected.says[0]}`);
  });
});
