import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type AlertEndpointDeps, createAlertHandlers } from '../../src/api/alert-endpoint.js';
import { buttonClick } from '../helpers/actions.js';
import { findButton, sectionStartingWith, showsAnywhere } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';
import { API_TOKENS } from '../helpers/known-secrets.js';
import { openSlowBody, sendLargeBody } from '../helpers/slow-body.js';

const TOKEN = API_TOKENS.alert;
const spec = parse(readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8')) as {
  components: { schemas: Record<string, object> };
};

function responseValidator(name: string) {
  const ajv = new Ajv({ strict: false, formats: { 'date-time': true, email: true } });
  const schemas = JSON.parse(
    JSON.stringify(spec.components.schemas).replaceAll('#/components/schemas/', 'schemas#/'),
  );
  ajv.addSchema({ $id: 'schemas', definitions: schemas });
  // OpenAPI 3.0 `nullable` → JSON Schema
  const patched = JSON.parse(
    JSON.stringify(schemas[name]).replace(/"type":"(\w+)","nullable":true/g, '"type":["$1","null"]'),
  );
  return ajv.compile(patched);
}

describe('POST /api/revocation-requests', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      REVOKE_API_TOKEN: TOKEN,
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      REVOKE_APPROVERS: 'UAPP1',
    });
    h.slack.addUser(user('UAPP1', 'app1@example.com'));
    h.slack.sessions = [
      { user_id: 'UALICE', session_id: 9, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
  });
  afterAll(() => h.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${h.url}/api/revocation-requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('refuses a missing or wrong bearer token with 401', async () => {
    expect(
      (await post({ email: 'alice@example.com', reason: 'x', source: 'siem' }, { authorization: '' })).status,
    ).toBe(401);
    const wrong = await post(
      { email: 'alice@example.com', reason: 'x', source: 'siem' },
      { authorization: `Bearer ${TOKEN}x` },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(`${h.url}/api/revocation-requests/r-aaaaaaaa-aaaaaaaa`)).status).toBe(401);
  });

  it('answers 400 with field errors for bad input', async () => {
    const res = await post({
      email: 'not-an-email',
      slack_user_id: 'x',
      reason: '',
      source: 'siem',
      systems: ['gitlab'],
      extra: 1,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; fields: Record<string, string> };
    expect(body.error).toBe('invalid_request');
    expect(Object.keys(body.fields)).toEqual(
      expect.arrayContaining(['email', 'slack_user_id', 'reason', 'systems.0', 'body']),
    );
    expect(body.fields.body).toMatch(/extra/);
    expect((await post('{nope')).status).toBe(400);
    expect((await post({ reason: 'r', source: 's' })).status).toBe(400);
    expect(
      (await post({ email: 'alice@example.com', reason: 'r', source: 's', systems: ['box'] })).status,
    ).toBe(400);
    expect(
      (await post({ email: 'a@example.com', reason: 'r', source: 's' }, { 'content-type': 'text/plain' }))
        .status,
    ).toBe(415);
    expect((await post({ reason: 'x'.repeat(70_000), source: 's', email: 'a@example.com' })).status).toBe(
      413,
    );
    expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(0);
  });

  it('creates a request that needs approval, posts the card, and is idempotent by key', async () => {
    const body = {
      email: 'Alice@Example.com',
      reason: 'EDR: token theft <!channel>',
      source: 'edr',
      idempotency_key: 'edr-1',
    };
    const res = await post(body);
    expect(res.status).toBe(202);
    const created = (await res.json()) as { id: string; status: string; status_url: string };
    expect(responseValidator('RevocationRequest')(created)).toBe(true);
    expect(created.status).toBe('pending_approval');
    expect(res.headers.get('location')).toBe(created.status_url);
    const card = await h.slack.waitFor(() =>
      h.slack.messages.find(
        (m) => m.channel === 'C0APPROVE' && findButton(m.blocks, 'approve_request')?.value === created.id,
      ),
    );
    expect(sectionStartingWith(card.blocks, '*Reason*')).toBe('*Reason*\n>EDR: token theft &lt;!channel&gt;');

    const again = await post(body);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(created.id);
    expect(h.slack.messages.filter((m) => showsAnywhere(m.blocks, 'approve_request'))).toHaveLength(1);

    // One click by an approver runs it; the status URL then says done.
    await h.interact(
      buttonClick({
        userId: 'UAPP1',
        actionId: 'approve_request',
        value: created.id,
        channel: 'C0APPROVE',
        messageTs: card.ts,
      }),
    );
    await h.slack.waitFor(() => h.slack.callsTo('admin.users.session.reset').length === 1);
    let status = '';
    for (let i = 0; i < 100 && status !== 'done'; i++) {
      const got = await fetch(`${h.url}${created.status_url}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const json = (await got.json()) as { status: string };
      status = json.status;
      expect(responseValidator('RevocationRequest')(json)).toBe(true);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe('done');
    const [request] = await h.app.store.listRequestsForTarget('UALICE', 1);
    expect(request?.requester).toEqual({ kind: 'api', id: 'edr' });
  });

  it('scopes keys by caller and body: a reused key for another alert is a 409, never a silent replay', async () => {
    h.slack.addUser(user('UCAROL', 'carol@example.com'));
    const first = {
      email: 'carol@example.com',
      reason: 'EDR: beacon on LAPTOP-7',
      source: 'edr',
      idempotency_key: 'k-77',
    };
    const created = await post(first);
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const cards = () => h.slack.messages.filter((m) => showsAnywhere(m.blocks, 'approve_request')).length;
    // The card is an outbox effect of the request's write: it follows the 202.
    const cardsBefore = await h.slack.waitFor(async () =>
      (await h.app.store.getRequest(id))?.approvalCard ? cards() : undefined,
    );

    // Same caller, same key, same alert (address case aside): the same request again.
    const replay = await post({ ...first, email: 'Carol@Example.com' });
    expect(replay.status).toBe(200);
    expect((await replay.json()) as { id: string; replayed: boolean }).toMatchObject({ id, replayed: true });

    // Same key, another person or another reason: refused, naming the first request.
    for (const other of [
      { ...first, email: 'bob@example.com' },
      { ...first, email: undefined, slack_user_id: 'UREQ' },
      { ...first, reason: 'EDR: a different alert' },
    ]) {
      const res = await post(other);
      expect(res.status).toBe(409);
      const body = (await res.json()) as { error: string; request_id: string; message: string };
      expect(responseValidator('Conflict')(body)).toBe(true);
      expect(body.error).toBe('idempotency_conflict');
      expect(body.request_id).toBe(id);
      expect(body.message).toContain(id);
      expect(res.headers.get('location')).toBe(`/api/revocation-requests/${id}`);
    }
    // Nothing recorded for the refused alerts, and each refusal is in the audit log with what it asked.
    expect(await h.app.store.listRequestsForTarget('UREQ', 5)).toEqual([]);
    expect(cards()).toBe(cardsBefore);
    const conflicts = (await h.app.store.listAudit({ requestId: id })).filter(
      (a) => a.action === 'idempotency_conflict',
    );
    expect(conflicts).toHaveLength(3);
    expect(conflicts[0]?.actor).toBe('api:edr');
    expect(conflicts[0]?.data).toMatchObject({
      idempotencyKey: 'k-77',
      refused: { email: 'bob@example.com' },
    });

    // Another caller may use the same key for its own alert.
    const siem = await post({ ...first, email: 'bob@example.com', source: 'siem' });
    expect(siem.status).toBe(202);
    expect(((await siem.json()) as { id: string }).id).not.toBe(id);
  });

  it('answers 404 for an unknown request', async () => {
    const res = await fetch(`${h.url}/api/revocation-requests/r-aaaaaaaa-aaaaaaaa`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(404);
  });

  it('shows the token holder only requests that alerts created: any other answers like an unknown id', async () => {
    h.slack.addUser(user('UDAVE', 'dave@example.com'));
    // A request through the slash command and its form (name, reason, sessions: none of the API's business).
    expect((await h.command({ text: '<@UDAVE|dave>' })).status).toBe(200);
    const form = submission(
      formValues({ target: 'UDAVE', reason: 'INC-77: dave phished' }),
      undefined,
      'UREQ',
      'VAPIHIDDEN',
    );
    expect((await h.interact(form)).status).toBe(200);
    const fromSlack = await h.slack.waitFor(async () => {
      const [r] = await h.app.store.listRequestsForTarget('UDAVE', 1);
      return r?.idempotencyKey === 'view:VAPIHIDDEN' ? r : undefined;
    });
    expect(fromSlack.source).toBe('slash_command');

    const get = async (id: string) => {
      const res = await fetch(`${h.url}/api/revocation-requests/${id}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      return {
        status: res.status,
        contentType: res.headers.get('content-type'),
        cacheControl: res.headers.get('cache-control'),
        body: (await res.json()) as Record<string, unknown>,
      };
    };
    const hidden = await get(fromSlack.id);
    const unknown = await get('r-aaaaaaaa-aaaaaaaa');
    expect(unknown).toEqual({
      status: 404,
      contentType: 'application/json',
      cacheControl: 'no-store',
      body: { error: 'not_found', message: 'No such request.' },
    });
    expect(hidden).toEqual(unknown);

    // A request an alert created stays readable, and its key still replays it.
    const alert = {
      email: 'dave@example.com',
      reason: 'EDR: dave beacon',
      source: 'edr',
      idempotency_key: 'dave-1',
    };
    const created = await post(alert);
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const read = await get(id);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, source: 'api', target: { email: 'dave@example.com' } });
    const replay = await post(alert);
    expect(replay.status).toBe(200);
    expect((await replay.json()) as { id: string; replayed: boolean }).toMatchObject({ id, replayed: true });
  });
});

describe('alert API switched off', () => {
  it('is not served when REVOKE_API_TOKEN is unset', async () => {
    const h = await startHarness();
    try {
      const res = await fetch(`${h.url}/api/revocation-requests`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
    } finally {
      await h.close();
    }
  });
});

describe('the alert API body is bounded in size and time', () => {
  const modes = {
    HTTP: {},
    'Socket Mode': { SLACK_APP_TOKEN: 'xapp-1-A0123-4567-socketmodeapptokensecret' },
  };
  for (const [mode, env] of Object.entries(modes)) {
    it(`on the app's HTTP server in ${mode}`, async () => {
      const h = await startHarness(
        { REVOKE_API_TOKEN: TOKEN, ...env },
        // Node's whole-request timeout far away: only the body deadline can cut the slow body off.
        { httpLimits: { bodyTimeoutMs: 300, headersTimeoutMs: 5_000, requestTimeoutMs: 60_000 } },
      );
      const port = Number(new URL(h.url).port);
      const auth = { authorization: `Bearer ${TOKEN}` };
      const slow = openSlowBody(port, {
        path: '/api/revocation-requests',
        headers: auth,
        contentType: 'application/json',
        contentLength: 10_000,
        trickleMs: 50,
      });
      try {
        const cut = await Promise.race([
          slow.closed,
          new Promise<'still open'>((r) => setTimeout(() => r('still open'), 3_000)),
        ]);
        expect(cut === 'still open' ? cut : cut.status).toBe(408);
        const big = await sendLargeBody(port, {
          path: '/api/revocation-requests',
          headers: auth,
          contentType: 'application/json',
          bytes: 3 * 1024 * 1024,
        });
        expect(big.status).toBe(413);
        expect(big.bytesSent).toBeLessThan(1024 * 1024);
        // Bodies still reach the handler, which keeps its own 64 KiB limit.
        const post = (body: string) =>
          fetch(`${h.url}/api/revocation-requests`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body,
          });
        const tooLarge = await post(JSON.stringify({ reason: 'x'.repeat(70_000), source: 's' }));
        expect(tooLarge.status).toBe(413);
        expect(((await tooLarge.json()) as { error: string }).error).toBe('payload_too_large');
        const notJson = await post('{nope');
        expect(notJson.status).toBe(400);
        expect(((await notJson.json()) as { error: string }).error).toBe('invalid_json');
      } finally {
        slow.destroy();
        await h.close();
      }
    });
  }
});

describe('the alert handlers on a server without the body guard', () => {
  it('bound a body they read themselves: 413 past 64 KiB, 408 at the deadline', async () => {
    // Refused bodies never reach the engine or the store.
    const handlers = createAlertHandlers({
      apiToken: TOKEN,
      systems: ['slack'],
      logger: { warn: () => {}, error: () => {} },
      bodyTimeoutMs: 300,
    } as unknown as AlertEndpointDeps);
    const server = createServer({ requestTimeout: 60_000 }, handlers.create);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const slow = openSlowBody(port, {
      path: '/',
      headers: auth,
      contentType: 'application/json',
      contentLength: 10_000,
      trickleMs: 50,
    });
    try {
      const cut = await Promise.race([
        slow.closed,
        new Promise<'still open'>((r) => setTimeout(() => r('still open'), 3_000)),
      ]);
      expect(cut === 'still open' ? cut : cut.status).toBe(408);
      const big = await sendLargeBody(port, {
        path: '/',
        headers: auth,
        contentType: 'application/json',
        bytes: 3 * 1024 * 1024,
      });
      expect(big.status).toBe(413);
      expect(big.bytesSent).toBeLessThan(1024 * 1024);
    } finally {
      slow.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
