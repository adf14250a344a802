import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobInfo, WorkQueueOptions } from '../../src/runtime/work/queue.js';
import { BUSY_TEXT } from '../../src/slack/context.js';
import { buttonClick } from '../helpers/actions.js';
import { findBlock, isApprovalCard } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';
import { type ResponseUrl, responseUrl } from '../helpers/response-url.js';

/** A fixed estimate per kind: admission depends on the test, not on how fast this machine is. */
function fixedEstimates(estimates: Record<string, number>, otherwise = 50) {
  return { estimate: (kind: string) => estimates[kind] ?? otherwise, record: () => {} };
}

function gate() {
  let open: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const SESSIONS = [
  {
    user_id: 'UALICE',
    session_id: 7,
    team_id: 'T1',
    created: { os: 'Mac', ip: '10.1.1.1' },
    kind: 'desktop' as const,
  },
];

describe('acks first: after-ack work goes through one bounded queue', () => {
  let h: Harness | undefined;
  let catcher: ResponseUrl | undefined;
  afterEach(async () => {
    expect(h?.slack.violations).toEqual([]);
    await h?.close();
    await catcher?.close();
    h = undefined;
    catcher = undefined;
  });

  /** Fills every interactive slot with slow jobs the estimator expects to last a minute. */
  async function saturate(app: Harness, slots: number) {
    const hold = gate();
    for (let i = 0; i < slots; i++) {
      app.app.deps.background.enqueue({ kind: 'test.slow', priority: 'urgent', task: () => hold.promise });
    }
    await app.slack.waitFor(() => app.app.deps.background.counts().interactive === slots);
    return hold;
  }

  it('answers every ack before any of its after-ack jobs starts', async () => {
    const responses: ServerResponse[] = [];
    // 'finish': Node has handed the whole response to the operating system.
    const finished = new Set<ServerResponse>();
    const starts: { kind: string; acked: number; answered: number }[] = [];
    const observer = {
      started: (job: JobInfo) =>
        starts.push({
          kind: job.kind,
          acked: responses.length,
          answered: finished.size,
        }),
    };
    h = await startHarness({}, { workQueue: { observer } });
    h.slack.sessions = [...SESSIONS];
    h.server.prependListener('request', (req, res) => {
      if (!req.url?.startsWith('/slack/events')) return;
      responses.push(res);
      res.once('finish', () => finished.add(res));
    });

    expect((await h.command({ text: '<@UALICE|alice>' })).status).toBe(200);
    const harness = h;
    await h.slack.waitFor(() =>
      harness.slack
        .callsTo('views.update')
        .find((c) => findBlock(c.args.view, 'preview_slack')?.text?.text?.includes('1 active session')),
    );
    expect((await h.interact(submission(formValues({})))).status).toBe(200);
    await h.slack.waitFor(() => harness.slack.callsTo('admin.users.session.reset').length === 1);
    await h.app.deps.background.idle();

    // The listeners' jobs (the housekeeping rounds run beside them, in the runs lane).
    const jobs = starts.filter(
      (s) => !['share', 'resume', 'expire', 'intake', 'outbox-prune', 'ssf-inbound'].includes(s.kind),
    );
    // Each job started after its own request's ack, and after that response was fully written.
    expect(jobs.map((s) => [s.kind, s.acked, s.answered])).toEqual([
      ['command.open', 1, 1],
      ['preview', 1, 1],
      ['request.submit', 2, 2],
      ['run', 2, 2],
    ]);
  });

  it('saturated: a slash command gets the busy message through response_url, and no views.open', async () => {
    catcher = await responseUrl();
    const workQueue: WorkQueueOptions = {
      concurrency: 2,
      reserved: 0,
      estimator: fixedEstimates({ 'test.slow': 60_000 }),
    };
    h = await startHarness({}, { workQueue });
    h.slack.sessions = [...SESSIONS];
    const hold = await saturate(h, 2);

    const res = await h.command({ text: '<@UALICE|alice>', response_url: catcher.url });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(''); // the ack itself stays empty: the modal was about to open
    const sent = catcher.bodies;
    await h.slack.waitFor(() => sent.length === 1);
    expect(sent[0]).toEqual({ response_type: 'ephemeral', text: BUSY_TEXT });
    expect(h.logs.some((l) => l.includes('busy: command.open was not started (expected wait'))).toBe(true);

    hold.open();
    await h.app.deps.background.idle();
    // The refused job never runs later with its (by then expired) trigger, nor looks anyone up.
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
    expect(h.slack.callsTo('users.info')).toHaveLength(0);
    expect(h.slack.callsTo('admin.users.session.list')).toHaveLength(0);
    expect(sent).toHaveLength(1);
  });

  it('a form that was queued in time but whose trigger expired while it waited is not opened', async () => {
    catcher = await responseUrl();
    let offset = 0;
    const workQueue: WorkQueueOptions = {
      concurrency: 1,
      reserved: 0,
      now: () => performance.now() + offset,
      estimator: fixedEstimates({ 'test.slow': 100 }),
    };
    h = await startHarness({}, { workQueue });
    const hold = await saturate(h, 1);
    await h.command({ text: '<@UALICE|alice>', response_url: catcher.url });
    const queue = h.app.deps.background;
    await h.slack.waitFor(() => queue.counts().waiting.urgent === 1); // 100 ms expected: admitted
    offset += 3_000; // …but the slow job ran for three seconds
    hold.open();
    const sent = catcher.bodies;
    await h.slack.waitFor(() => sent.length === 1);
    expect(sent[0]).toEqual({ response_type: 'ephemeral', text: BUSY_TEXT });
    await queue.idle();
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('without a response_url that answers, the busy message is an ephemeral in the channel', async () => {
    h = await startHarness(
      {},
      { workQueue: { concurrency: 1, reserved: 0, estimator: fixedEstimates({ 'test.slow': 60_000 }) } },
    );
    const hold = await saturate(h, 1);
    // The default response_url of the test payloads answers nothing (port 9).
    await h.command({ text: '<@UALICE|alice>' });
    const harness = h;
    const told = await h.slack.waitFor(() => harness.slack.messages.find((m) => m.ephemeralFor === 'UREQ'));
    expect(told).toMatchObject({ channel: 'C0SEC', text: BUSY_TEXT });
    hold.open();
    await h.app.deps.background.idle();
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('saturated: a modal submission is still queued, and runs once there is room (nothing lost)', async () => {
    const workQueue: WorkQueueOptions = {
      concurrency: 2,
      reserved: 0,
      estimator: fixedEstimates({ 'test.slow': 60_000 }),
    };
    h = await startHarness({}, { workQueue });
    h.slack.sessions = [...SESSIONS];
    const hold = await saturate(h, 2);

    const res = await h.interact(submission(formValues({})));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(''); // the modal closes
    const queue = h.app.deps.background;
    await h.slack.waitFor(() => queue.counts().waiting.normal === 1);
    expect(await h.app.store.listRequestsForTarget('UALICE', 5)).toEqual([]); // not started yet…

    hold.open(); // …and not dropped: it runs as soon as a slot frees
    const harness = h;
    const request = await h.slack.waitFor(async () => {
      const [r] = await harness.app.store.listRequestsForTarget('UALICE', 5);
      return r?.status === 'done' ? r : undefined;
    });
    expect(request.status).toBe('done');
    expect(h.slack.callsTo('admin.users.session.reset').map((c) => c.args)).toEqual([{ user_id: 'UALICE' }]);
    expect(h.slack.sessions).toEqual([]);
  });

  it('saturated: an Approve click is queued and runs; a Break glass… click gets the busy ephemeral', async () => {
    const workQueue: WorkQueueOptions = {
      concurrency: 2,
      reserved: 0,
      estimator: fixedEstimates({ 'test.slow': 60_000 }),
    };
    h = await startHarness(
      {
        REVOKE_REQUIRE_APPROVAL: 'true',
        REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
        REVOKE_APPROVERS: 'UAPP1',
        REVOKE_BREAK_GLASS_USERS: 'UREQ',
      },
      { workQueue },
    );
    h.slack.addUser(user('UAPP1', 'uapp1@example.com'));
    h.slack.sessions = [...SESSIONS];
    await h.interact(submission(formValues({})));
    const harness = h;
    const card = await h.slack.waitFor(() => harness.slack.messages.find((m) => isApprovalCard(m.blocks)));
    const [pending] = await h.app.store.listRequestsForTarget('UALICE', 1);
    if (!pending) throw new Error('no request recorded');
    await h.app.deps.background.idle();
    const hold = await saturate(h, 2);

    const click = (userId: string, actionId: string) =>
      harness.interact(
        buttonClick({ userId, actionId, value: pending.id, channel: 'C0APPROVE', messageTs: card.ts }),
      );
    expect((await click('UREQ', 'break_glass_request')).status).toBe(200);
    const busy = await h.slack.waitFor(() =>
      harness.slack.messages.find((m) => m.ephemeralFor === 'UREQ' && m.text === BUSY_TEXT),
    );
    expect(busy.channel).toBe('C0APPROVE');
    expect((await click('UAPP1', 'approve_request')).status).toBe(200);
    await h.slack.waitFor(() => harness.app.deps.background.counts().waiting.normal === 1);
    expect((await h.app.store.getRequest(pending.id))?.status).toBe('pending_approval');

    hold.open();
    await h.slack.waitFor(async () => (await harness.app.store.getRequest(pending.id))?.status === 'done');
    await h.app.deps.background.idle();
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
    expect(h.slack.sessions).toEqual([]);
  });
});
