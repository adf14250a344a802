import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buttonClick } from '../helpers/actions.js';
import { findButton, sectionStartingWith, showsAnywhere } from '../helpers/blocks.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';
import { API_TOKENS } from '../helpers/known-secrets.js';

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
    const cardsBefore = cards();

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
