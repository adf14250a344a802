import { afterEach, describe, expect, it } from 'vitest';
import type { FakeBox } from '../fakes/box.js';
import type { FakeMattermost } from '../fakes/mattermost.js';
import { blockText, findBlock, replyText } from '../helpers/blocks.js';
import type { Harness } from '../helpers/harness.js';
import { METRICS_TOKEN, pendingAlice } from '../helpers/pending-alice.js';
import { parsePrometheus, sample } from '../helpers/prometheus.js';
import { approveAndFinish } from './approve.js';

describe('time to contain, measured from approval (real app, fake vendors)', () => {
  let h: Harness | undefined;
  let box: FakeBox | undefined;
  let mm: FakeMattermost | undefined;
  afterEach(async () => {
    await h?.close();
    await box?.close();
    await mm?.close();
  });

  it('records per step when the vendor accepted and when it was confirmed, and shows it in the thread, the metric and the replies', async () => {
    const pending = await pendingAlice();
    ({ h, box, mm } = pending);
    const { clock, card, requestId: id } = pending;
    const harness = pending.h;
    // The approver takes ten minutes: the clock of containment starts at the approval, not before.
    clock.offsetMs = 600_000;
    const done = await approveAndFinish(harness, id, card.ts);
    await harness.delivered();
    const approved = Date.parse(done.decidedAt ?? '');
    const steps = await harness.app.store.listSteps(id);
    const step = (system: string) => steps.find((s) => s.system === system);

    const mattermost = step('mattermost')?.result;
    const accepted = Date.parse(mattermost?.acceptedAt ?? '');
    const confirmed = Date.parse(mattermost?.confirmedAt ?? '');
    expect(accepted).toBeGreaterThanOrEqual(approved);
    expect(accepted - approved).toBeLessThan(60_000);
    expect(confirmed).toBeGreaterThanOrEqual(accepted);
    expect(mattermost?.confirmedBy).toBe('listing');
    expect(mattermost?.listedAfter).toEqual([]);
    // Box only creates a job: requested, never more than the vendor shows.
    expect(step('box')?.state).toBe('queued');
    expect(step('box')?.result?.acceptedAt).toBeDefined();
    expect(step('box')?.result?.confirmedAt).toBeUndefined();
    expect(step('box')?.result?.confirmation).toBe('none');
    // Without SLACK_AUDIT_TOKEN Slack's reset is not confirmed by its audit log, and the reply says how to.
    expect(step('slack')?.result?.confirmation).toBe('unavailable');

    const thread = card.ts;
    const replies = harness.slack.messages.filter((m) => m.thread_ts === thread).map((m) => replyText(m));
    expect(replies.find((t) => t.includes('*Box*'))).toContain('requested — Box gives no confirmation');
    expect(replies.find((t) => t.includes('*Slack*'))).toContain('set SLACK_AUDIT_TOKEN');
    expect(replies.find((t) => t.includes('*Mattermost*'))).toMatch(
      /accepted \+\d+ s, confirmed \+\d+ s after approval/,
    );

    const parent = harness.slack
      .callsTo('chat.update')
      .filter((c) => c.args.ts === thread)
      .at(-1);
    const contain = blockText(parent?.args, 'contain');
    expect(contain).toMatch(/contained in \d+ s/);
    expect(contain).toMatch(/Mattermost confirmed at \+\d+ s/);
    expect(contain).toContain('Box: requested, no confirmation');

    const res = await fetch(`${harness.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const metrics = parsePrometheus(await res.text());
    const count = (system: string, stage: string) =>
      sample(metrics, 'revoke_time_to_contain_seconds_count', { system, stage });
    expect(count('mattermost', 'accepted')).toBe(1);
    expect(count('mattermost', 'confirmed')).toBe(1);
    expect(count('box', 'accepted')).toBe(1);
    expect(count('box', 'confirmed')).toBeUndefined();
    // Measured from approval: the ten minutes before it are not in it.
    expect(
      sample(metrics, 'revoke_time_to_contain_seconds_sum', { system: 'mattermost', stage: 'accepted' }),
    ).toBeLessThan(60);

    // The same person again within 24 h: the form warns, linking this request.
    await harness.command({ text: '<@UALICE|alice>' });
    const form = await harness.slack.waitFor(() =>
      harness.slack.callsTo('views.update').find((c) => findBlock(c.args.view, 'repeat')),
    );
    expect(blockText(form.args.view, 'repeat')).toContain(`\`${id}\``);
  }, 40_000);
});
