import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../helpers/harness.js';
import { type ResponseUrl, responseUrl } from '../helpers/response-url.js';
import { newRequest } from '../store/contract.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;

describe('/revoke-sessions status of a large bulk', () => {
  let h: Harness;
  let catcher: ResponseUrl<{ text: string }>;
  beforeAll(async () => {
    h = await startHarness();
    catcher = await responseUrl<{ text: string }>();
    await bulk('r-bulkstat-fortyppl', 'UP', 40, 'running');
    await h.app.store.updateStep('r-bulkstat-fortyppl', 'box#7', {
      state: 'failed',
      result: { error: { code: 'x', message: 'Box said no' } },
    });
  });
  /** A bulk request for `n` people (`<prefix>000`…) on Slack and Box, recorded straight in the store. */
  const bulk = async (id: string, prefix: string, n: number, status: 'running' | 'done') => {
    const people = Array.from({ length: n }, (_, i) => ({
      slackUserId: `${prefix}${String(i).padStart(3, '0')}`,
    }));
    const [first, ...rest] = people;
    const request = newRequest({ target: first ?? {}, additionalTargets: rest, systems: ['slack', 'box'] });
    const now = new Date();
    if (status === 'done') {
      await h.app.store.createRequest(id, request, status, now.toISOString());
      return;
    }
    // Running under another runner's live lease: the app's resume round leaves it alone.
    await h.app.store.createRequest(id, request, 'approved', now.toISOString());
    await h.app.store.claim(
      id,
      'another-runner',
      new Date(now.getTime() + 3_600_000).toISOString(),
      now.toISOString(),
    );
  };
  afterAll(async () => {
    await catcher.close();
    await h.close();
  });

  it('acks at once, then posts each system’s counts and who needs attention to response_url', async () => {
    const ack = (await (
      await h.command({ text: 'status r-bulkstat-fortyppl', response_url: catcher.url })
    ).json()) as {
      text: string;
    };
    expect(ack.text).toBe('Gathering the status of `r-bulkstat-fortyppl` (40 people, 2 systems)…');
    await h.slack.waitFor(() => catcher.bodies.length > 0);
    const [answer] = catcher.bodies;
    const lines = answer?.text.split('\n') ?? [];
    expect(lines[0]).toMatch(/^`r-bulkstat-fortyppl` — sessions of .* — \*running\*$/);
    expect(lines.filter((l) => l.startsWith('• *Slack* — '))).toEqual([
      expect.stringMatching(/ for 40 people$/),
    ]);
    expect(lines.filter((l) => /^• \*box\* — 1 failed, 39 pending for 40 people$/i.test(l))).toHaveLength(1);
    expect(answer?.text).toContain('<@UP007>');
    expect(answer?.text).toContain('Box said no');
    expect(lines.length).toBeLessThan(10);
  });

  it('answers a bulk of up to 50 steps in the ack itself, summarised per system', async () => {
    await bulk('r-bulkstat-twentyfv', 'UQ', 25, 'done');
    const before = catcher.bodies.length;
    const ack = (await (
      await h.command({ text: 'status r-bulkstat-twentyfv', response_url: catcher.url })
    ).json()) as { text: string };
    expect(ack.text.split('\n').slice(3)).toEqual([
      '• *Slack* — 25 pending for 25 people',
      '• *box* — 25 pending for 25 people',
    ]);
    expect(catcher.bodies).toHaveLength(before);
  });
});
