import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/slack/body-guard.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, SECRETS, startHarness } from '../helpers/harness.js';
import {
  commandBody,
  interactionBody,
  signedPost,
  signedPostToPath,
  slackSignature,
} from '../helpers/slack-signing.js';
import { openSlowBody, sendLargeBody } from '../helpers/slow-body.js';

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
    const big = await signedPost(events(), commandBody({ text: 'x'.repeat(MAX_BODY_BYTES) }), form, {
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

describe('bodies that arrive slowly or never', () => {
  const form = 'application/x-www-form-urlencoded';
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('a 999-person view submission fits under the body limit', async () => {
    const h = await startHarness();
    try {
      const values = formValues({ target: 'UALICE' });
      values.more_targets = {
        more_targets_selected: {
          type: 'multi_users_select',
          selected_users: Array.from({ length: 999 }, (_, i) => `UP${String(i).padStart(9, '0')}`),
        },
      };
      const body = interactionBody(submission(values));
      expect(body.length).toBeLessThan(MAX_BODY_BYTES / 4);
      const res = await signedPost(`${h.url}/slack/events`, body, form, { secret: SECRETS.signing });
      expect(res.status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('past the cap answers 503 with Retry-After; /healthz and a signed command still get through', async () => {
    const h = await startHarness(
      {},
      { httpLimits: { maxConcurrentBodies: 3, evictAfterMs: 1_500, bodyTimeoutMs: 60_000 } },
    );
    const port = Number(new URL(h.url).port);
    const slow = [0, 1, 2].map(() => openSlowBody(port, { contentLength: 10_000 }));
    try {
      await sleep(200);
      const over = await fetch(`${h.url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': form },
        body: commandBody({ text: 'help' }),
      });
      expect(over.status).toBe(503);
      expect(over.headers.get('retry-after')).toBe('1');
      expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
      // Once the held bodies are older than evictAfterMs, a newcomer takes the oldest one's slot.
      await sleep(1_500);
      const signed = await signedPost(`${h.url}/slack/events`, commandBody({ text: 'help' }), form, {
        secret: SECRETS.signing,
      });
      expect(signed.status).toBe(200);
      expect(((await signed.json()) as { text: string }).text).toContain('/revoke-sessions');
      const evicted = await Promise.race(slow.map((s) => s.closed));
      expect(evicted.status).toBe(408);
      expect(slow.filter((s) => s.isOpen())).toHaveLength(2);
    } finally {
      for (const s of slow) s.destroy();
      await h.close();
    }
  });

  it('cuts off bodies that trickle past the deadline and headers that never end, then serves again', async () => {
    const h = await startHarness(
      {},
      {
        httpLimits: {
          maxConcurrentBodies: 3,
          bodyTimeoutMs: 300,
          evictAfterMs: 60_000,
          headersTimeoutMs: 400,
          checkIntervalMs: 100,
        },
      },
    );
    const port = Number(new URL(h.url).port);
    const trickling = [0, 1, 2].map(() => openSlowBody(port, { contentLength: 10_000, trickleMs: 50 }));
    const noHeaders = openSlowBody(port, { contentLength: 10, headersOnly: 'partial' });
    try {
      const cut = await Promise.all(trickling.map((s) => s.closed));
      expect(cut.map((c) => c.status)).toEqual([408, 408, 408]);
      // Cut off by the deadline, long before the 10,000 bytes could have trickled in.
      expect(cut.every((c) => c.bytesSent < 10_000)).toBe(true);
      expect((await noHeaders.closed).status).toBe(408);
      const signed = await signedPost(`${h.url}/slack/events`, commandBody({ text: 'help' }), form, {
        secret: SECRETS.signing,
      });
      expect(signed.status).toBe(200);
      expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    } finally {
      for (const s of [...trickling, noHeaders]) s.destroy();
      await h.close();
    }
  });

  it('another spelling of /slack/events that Bolt routes there is guarded like it', async () => {
    const h = await startHarness(
      {},
      // Node's whole-request timeout far away: only the guard can cut the slow body off.
      { httpLimits: { bodyTimeoutMs: 300, headersTimeoutMs: 5_000, requestTimeoutMs: 60_000 } },
    );
    const port = Number(new URL(h.url).port);
    const slow = openSlowBody(port, { path: '/x/../slack/events', contentLength: 10_000, trickleMs: 50 });
    try {
      // Unsigned and oversized: refused before it is read whole (Bolt itself would buffer up to 4 MiB).
      const big = await sendLargeBody(port, {
        path: '/./slack/events',
        bytes: 2 * 1024 * 1024,
        chunked: true,
      });
      expect(big.status).toBe(413);
      expect(big.bytesSent).toBeLessThan(1024 * 1024);
      // Trickling: cut off at the body deadline, not Node's 60 s.
      const cut = await Promise.race([slow.closed, sleep(3_000).then(() => 'still open' as const)]);
      expect(cut === 'still open' ? cut : cut.status).toBe(408);
      // Signed but not an object: refused by the guard's parse check before Bolt sees it.
      const nullPayload = await signedPostToPath(h.url, '/slack/./events', 'payload=null', form, {
        secret: SECRETS.signing,
      });
      expect(nullPayload.status).toBe(400);
      // A correctly signed command on that spelling is still answered.
      const signed = await signedPostToPath(h.url, '/%2e/slack/events', commandBody({ text: 'help' }), form, {
        secret: SECRETS.signing,
      });
      expect(signed.status).toBe(200);
      expect((JSON.parse(signed.text) as { text: string }).text).toContain('/revoke-sessions');
      // A target Bolt's URL parsing throws on: 400 from the guard, not a 500 from Bolt's dispatch.
      expect((await sendLargeBody(port, { path: '//[', bytes: 100 })).status).toBe(400);
      expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    } finally {
      slow.destroy();
      await h.close();
    }
  });
});
