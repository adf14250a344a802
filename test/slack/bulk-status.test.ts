import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../helpers/harness.js';
import { newRequest } from '../store/contract.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;

/** A local response_url: every body Slack's side would receive. */
async function responseUrl(): Promise<{ url: string; bodies: { text: string }[]; close(): Promise<void> }> {
  const bodies: { text: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/commands/response`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('/revoke-sessions status of a large bulk', () => {
  let h: Harness;
  let catcher: Awaited<ReturnType<typeof responseUrl>>;
  beforeAll(async () => {
    h = await startHarness();
    catcher = await responseUrl();
    const people = Array.from({ length: 40 }, (_, i) => ({ slackUserId: `UP${String(i).padStart(3, '0')}` }));
    const [first, ...rest] = people;
    await h.app.store.createRequest(
      'r-bulkstat-fortyppl',
      newRequest({ target: first ?? {}, additionalTargets: rest, systems: ['slack', 'box'] }),
      'running',
      new Date().toISOString(),
    );
    await h.app.store.updateStep('r-bulkstat-fortyppl', 'box#7', {
      state: 'failed',
      result: { error: { code: 'x', message: 'Box said no' } },
    });
  });
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
    const people = Array.from({ length: 25 }, (_, i) => ({ slackUserId: `UQ${String(i).padStart(3, '0')}` }));
    const [first, ...rest] = people;
    await h.app.store.createRequest(
      'r-bulkstat-twentyfv',
      newRequest({ target: first ?? {}, additionalTargets: rest, systems: ['slack', 'box'] }),
      'done',
      new Date().toISOString(),
    );
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
