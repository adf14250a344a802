import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, SECRETS, startHarness } from '../helpers/harness.js';
import { commandBody, signedPost, slackSignature } from '../helpers/slack-signing.js';

const supplement = JSON.parse(
  readFileSync(new URL('../contracts/slack/slack_contract_supplement.json', import.meta.url), 'utf8'),
) as { request_signing: { test_vector_from_slack_docs: Record<string, string> } };

describe('request signing', () => {
  it("reproduces Slack's documented signing vector", () => {
    const v = supplement.request_signing.test_vector_from_slack_docs;
    expect(slackSignature(v.signing_secret ?? '', v.timestamp ?? '', v.body ?? '')).toBe(
      v.expected_signature,
    );
  });
});

describe('the HTTP receiver', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  const events = () => `${h.url}/slack/events`;
  const form = 'application/x-www-form-urlencoded';

  it('answers GET /healthz', async () => {
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; systems: string[] };
    expect(body).toMatchObject({ status: 'ok', systems: ['slack'] });
    expect(JSON.stringify(body)).not.toContain(SECRETS.bot);
  });

  it('accepts a correctly signed command', async () => {
    const res = await signedPost(events(), commandBody({ text: 'help' }), form, { secret: SECRETS.signing });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toContain('/revoke-sessions');
  });

  it('acknowledges without a Slack round trip first: no auth.test per request, even when Slack is slow', async () => {
    h.slack.beforeAnswer = async (method) => {
      if (method === 'auth.test') await new Promise((r) => setTimeout(r, 5_000));
      return false;
    };
    try {
      const res = await Promise.all(
        [1, 2, 3].map(() =>
          signedPost(events(), commandBody({ text: 'help' }), form, { secret: SECRETS.signing }),
        ),
      );
      expect(res.map((r) => r.status)).toEqual([200, 200, 200]);
      for (const r of res) expect(((await r.json()) as { text: string }).text).toContain('/revoke-sessions');
      expect(h.slack.callsTo('auth.test')).toHaveLength(0);
    } finally {
      h.slack.beforeAnswer = undefined;
    }
  });

  it('refuses a forged signature with 401 and does nothing', async () => {
    const before = h.slack.calls.length;
    const res = await signedPost(events(), commandBody({ text: '<@UALICE|alice>' }), form, {
      secret: SECRETS.signing,
      signature: slackSignature('not-the-secret', Math.floor(Date.now() / 1000), 'x'),
    });
    expect(res.status).toBe(401);
    expect(h.slack.calls.length).toBe(before);
  });

  it('refuses a body changed after signing', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const signature = slackSignature(SECRETS.signing, ts, commandBody({ text: 'help' }));
    const res = await signedPost(events(), commandBody({ text: '<@UALICE|alice>' }), form, {
      secret: SECRETS.signing,
      timestamp: ts,
      signature,
    });
    expect(res.status).toBe(401);
  });

  it('refuses a correctly signed request that is 10 minutes old', async () => {
    const res = await signedPost(events(), commandBody({ text: 'help' }), form, {
      secret: SECRETS.signing,
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    expect(res.status).toBe(401);
  });

  it('refuses a request without signature headers', async () => {
    const res = await fetch(events(), {
      method: 'POST',
      headers: { 'content-type': form },
      body: commandBody({}),
    });
    expect(res.status).toBe(401);
  });

  it('refuses bodies that would not parse to an object (400) and oversized bodies (413), and stays up', async () => {
    for (const body of ['payload=null', 'payload=42', 'payload=%5B1%5D', 'null']) {
      const res = await signedPost(events(), body, body === 'null' ? 'application/json' : form, {
        secret: SECRETS.signing,
      });
      expect(res.status).toBe(400);
    }
    const big = await signedPost(events(), commandBody({ text: 'x'.repeat(1_100_000) }), form, {
      secret: SECRETS.signing,
    });
    expect(big.status).toBe(413);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });

  it('survives malformed interactivity payloads without crashing', async () => {
    for (const body of [
      'payload=%7Bnot-json',
      'payload=%5B%5D',
      'payload=%7B%22type%22%3A%22view_submission%22%7D',
      '',
    ]) {
      const res = await signedPost(events(), body, form, { secret: SECRETS.signing });
      expect(res.status).toBeLessThan(500);
    }
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
  });
});
