import { FakeBox } from '../fakes/box.js';
import { FakeMattermost } from '../fakes/mattermost.js';
import { isApprovalCard } from './blocks.js';
import { formValues, submission } from './forms.js';
import { type Harness, startHarness, user } from './harness.js';

/** The metrics endpoint's bearer token in these set-ups. */
export const METRICS_TOKEN = 'metrics-bearer-0123456789abcdef';

/** A request for Alice in Slack, Box and Mattermost, waiting on its approval card. */
export interface PendingAlice {
  h: Harness;
  box: FakeBox;
  mm: FakeMattermost;
  /** Moves the app's clock: milliseconds ahead of real time from now on. */
  clock: { offsetMs: number };
  card: { ts: string };
  requestId: string;
}

/**
 * The real app with metrics on, an approver (UAPP1) and Alice's accounts in Slack, Box and
 * Mattermost; the form is submitted and its approval card posted. The caller closes `h`, `box`, `mm`.
 */
export async function pendingAlice(): Promise<PendingAlice> {
  const box = new FakeBox();
  const mm = new FakeMattermost();
  await Promise.all([box.start(), mm.start()]);
  box.users.push({ id: 'box-alice', login: 'alice@example.com', name: 'Alice' });
  mm.users.push({ id: 'mm-alice', email: 'alice@example.com', username: 'alice' });
  mm.sessions = [{ id: 'mm-s1', user_id: 'mm-alice', token: 'T1', create_at: 1, last_activity_at: 2 }];
  const clock = { offsetMs: 0 };
  const h = await startHarness(
    {
      ...box.env(),
      ...mm.env(),
      REVOKE_REQUIRE_APPROVAL: 'true',
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      REVOKE_APPROVERS: 'UAPP1',
      METRICS_ENABLED: 'true',
      METRICS_TOKEN,
    },
    { clockOffsetMs: () => clock.offsetMs },
  );
  h.slack.addUser(user('UAPP1', 'app1@example.com'));
  h.slack.sessions = [
    { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
  ];
  await h.interact(submission(formValues({ systems: ['slack', 'box', 'mattermost'] })));
  const card = await h.slack.waitFor(() => h.slack.messages.find((m) => isApprovalCard(m.blocks)));
  const [request] = await h.app.store.listRequestsForTarget('UALICE', 1);
  return { h, box, mm, clock, card, requestId: request?.id ?? '' };
}
