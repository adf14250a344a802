import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENTRA_CREDENTIALS, FakeEntra } from '../fakes/entra.js';
import { FakeSsfReceiver, verifySet } from '../fakes/ssf-receiver.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { ENTRA_ALICE, PUSH_AUTHORIZATION, SSF_TOKENS, ssfCall, transmitterEnv } from '../helpers/ssf.js';

const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
const SIEM = 'https://siem.example.com';

/**
 * The transmitter through the real app: a revocation made in Slack reaches a fake SSF receiver as a
 * signed CAEP session-revoked SET that the receiver verifies against the published JWKS.
 */
describe('Shared Signals transmitter', () => {
  let h: Harness;
  let issuer: string;
  let dir: string;
  const receiver = new FakeSsfReceiver();
  const entra = new FakeEntra();

  beforeAll(async () => {
    await entra.start();
    entra.users.push(ENTRA_ALICE);
    dir = mkdtempSync(join(tmpdir(), 'revoke-ssf-'));
    await receiver.start();
    const transmitter = await transmitterEnv(dir);
    issuer = transmitter.issuer;
    h = await startHarness(
      { ...transmitter.env, ...entra.env() },
      { outbox: { backoffMs: 100, maxBackoffMs: 200 }, signals: { pushTimeoutMs: 1_000, longPollMs: 300 } },
    );
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
    await entra.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    // Every test starts with no stream of its own.
    for (const token of [SSF_TOKENS.siem, SSF_TOKENS.other]) {
      const { json } = await ssfCall(`${issuer}/ssf/stream`, 'GET', token);
      for (const s of json as { stream_id: string }[])
        await ssfCall(`${issuer}/ssf/stream?stream_id=${s.stream_id}`, 'DELETE', token);
    }
    receiver.pushes.length = 0;
    receiver.accepted.length = 0;
    receiver.answer = () => ({ status: 202 });
  });

  const pushStream = async (token = SSF_TOKENS.siem) => {
    const res = await ssfCall(`${issuer}/ssf/stream`, 'POST', token, {
      delivery: {
        method: 'urn:ietf:rfc:8935',
        endpoint_url: `${receiver.url}/events`,
        authorization_header: PUSH_AUTHORIZATION,
      },
      events_requested: [SESSION_REVOKED],
      description: 'SIEM',
    });
    expect(res.status).toBe(201);
    return res.json as Record<string, unknown> & { stream_id: string };
  };

  /** Revokes alice's sessions from the modal (no approval configured: it runs at once). */
  let views = 0;
  const revokeAlice = async (reason = 'INC-42: phished', systems = ['slack']) => {
    // Each its own modal (a view is recorded once).
    const form = submission(formValues({ reason, systems }), undefined, 'UREQ', `V${++views}`);
    expect((await h.interact(form)).status).toBe(200);
    const request = await h.slack.waitFor(async () => {
      const [r] = await h.app.store.listRequestsForTarget('UALICE', 1);
      return r && r.reason === reason && r.status === 'done' ? r : undefined;
    });
    // The request's own effects (its results thread); the signals are not ordered behind them.
    await h.slack.waitFor(
      async () => (await h.app.store.listEffects(request.id)).every((e) => e.state === 'done') || undefined,
    );
    return request;
  };

  it('publishes SSF metadata and a JWKS with an RSA key of at least 2048 bits', async () => {
    const meta = await ssfCall(`${issuer}/.well-known/ssf-configuration`, 'GET', undefined);
    expect(meta.status).toBe(200);
    expect(meta.json).toEqual({
      spec_version: '1_0',
      issuer,
      jwks_uri: `${issuer}/ssf/jwks`,
      delivery_methods_supported: ['urn:ietf:rfc:8935', 'urn:ietf:rfc:8936'],
      configuration_endpoint: `${issuer}/ssf/stream`,
      status_endpoint: `${issuer}/ssf/status`,
      verification_endpoint: `${issuer}/ssf/verify`,
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'ALL',
    });
    const jwks = await ssfCall(`${issuer}/ssf/jwks`, 'GET', undefined);
    const [key, ...more] = (jwks.json as { keys: Record<string, string>[] }).keys;
    expect(more).toEqual([]);
    expect(key?.kty).toBe('RSA');
    expect(key?.alg).toBe('RS256');
    expect(key?.use).toBe('sig');
    expect(typeof key?.kid).toBe('string');
    expect(key?.d).toBeUndefined(); // never the private part
    expect(Buffer.from(key?.n ?? '', 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
  });

  it('pushes one spec-shaped session-revoked SET per system that ended sessions, verified against the JWKS', async () => {
    const stream = await pushStream();
    const request = await revokeAlice();
    await h.slack.waitFor(() => receiver.accepted.length >= 1 || undefined);
    await new Promise((r) => setTimeout(r, 300)); // a second push would have arrived by now
    expect(receiver.pushes).toHaveLength(1);
    const [push] = receiver.pushes;
    expect(push?.contentType).toBe('application/secevent+jwt');
    expect(push?.authorization).toBe(PUSH_AUTHORIZATION);
    const { payload, protectedHeader } = await verifySet(push?.set ?? '', `${issuer}/ssf/jwks`, issuer, SIEM);
    const { keys } = (await ssfCall(`${issuer}/ssf/jwks`, 'GET', undefined)).json as {
      keys: { kid: string }[];
    };
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: keys[0]?.kid, typ: 'secevent+jwt' });
    const [step] = await h.app.store.listSteps(request.id);
    expect(step?.state).toBe('revoked');
    expect(Object.keys(payload).sort()).toEqual(['aud', 'events', 'iat', 'iss', 'jti', 'sub_id', 'txn']);
    expect(payload.iss).toBe(issuer);
    expect(payload.aud).toBe(SIEM);
    expect(payload.sub).toBeUndefined();
    expect(payload.exp).toBeUndefined();
    expect(payload.txn).toBe(request.id);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs((payload.iat ?? 0) - Date.now() / 1000)).toBeLessThan(60);
    expect(payload.sub_id).toEqual({ format: 'email', email: 'alice@example.com' });
    const events = payload.events as Record<string, Record<string, unknown>>;
    expect(Object.keys(events)).toEqual([SESSION_REVOKED]);
    expect(events[SESSION_REVOKED]).toEqual({
      event_timestamp: Math.floor(Date.parse(step?.finishedAt ?? '') / 1000),
      initiating_entity: 'admin',
      reason_admin: { en: 'INC-42: phished' },
    });
    // A second system: one SET each, one transaction id, each its own jti and its own answer time;
    // Entra names its tenant (a `complex` subject).
    receiver.pushes.length = 0;
    receiver.accepted.length = 0;
    const both = await revokeAlice('INC-42b: two systems', ['slack', 'entra']);
    await h.slack.waitFor(() => receiver.accepted.length >= 2 || undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.pushes).toHaveLength(2);
    const sets = await Promise.all(
      receiver.pushes.map((p) => verifySet(p.set, `${issuer}/ssf/jwks`, issuer, SIEM).then((v) => v.payload)),
    );
    const steps = await h.app.store.listSteps(both.id);
    expect(steps.map((s) => s.state)).toEqual(['revoked', 'revoked']);
    expect(sets.map((p) => p.txn)).toEqual([both.id, both.id]);
    expect(new Set(sets.map((p) => p.jti)).size).toBe(2);
    const entraSet = sets.find((p) => (p.sub_id as { format: string }).format === 'complex');
    expect(entraSet?.sub_id).toEqual({
      format: 'complex',
      user: { format: 'email', email: 'alice@example.com' },
      tenant: { format: 'opaque', id: ENTRA_CREDENTIALS.tenantId },
    });
    const entraStep = steps.find((s) => s.system === 'entra');
    expect(
      (entraSet?.events as Record<string, { event_timestamp: number }>)[SESSION_REVOKED]?.event_timestamp,
    ).toBe(Math.floor(Date.parse(entraStep?.finishedAt ?? '') / 1000));
    // The stream as created: SSF §8.1.1's fields, and the push secret never echoed.
    expect(stream).toEqual({
      stream_id: stream.stream_id,
      iss: issuer,
      aud: SIEM,
      events_supported: [SESSION_REVOKED],
      events_requested: [SESSION_REVOKED],
      events_delivered: [SESSION_REVOKED],
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: `${receiver.url}/events` },
      description: 'SIEM',
    });
  });

  it('a SET signed by another key fails verification against the published JWKS', async () => {
    await pushStream();
    await revokeAlice('INC-43');
    await h.slack.waitFor(() => receiver.accepted.length >= 1 || undefined);
    const set = receiver.pushes[0]?.set ?? '';
    const [head, body] = set.split('.');
    const forged = `${head}.${body}.${Buffer.from('x'.repeat(256)).toString('base64url')}`;
    await expect(jwtVerify(forged, createRemoteJWKSet(new URL(`${issuer}/ssf/jwks`)))).rejects.toThrow();
    expect(decodeProtectedHeader(set).typ).toBe('secevent+jwt');
  });

  it('a 5xx is retried with the same SET and jti; a 400 is recorded and not retried', async () => {
    await pushStream();
    receiver.answer = (_p, n) => (n <= 2 ? { status: 503 } : { status: 202 });
    await revokeAlice('INC-44: retry');
    await h.slack.waitFor(() => receiver.accepted.length >= 1 || undefined, 10_000);
    expect(receiver.pushes.length).toBe(3);
    expect(new Set(receiver.pushes.map((p) => p.set)).size).toBe(1);
    expect(new Set(receiver.pushes.map((p) => p.jti)).size).toBe(1);

    receiver.pushes.length = 0;
    receiver.accepted.length = 0;
    receiver.answer = () => ({ status: 400, body: { err: 'invalid_audience', description: 'not ours' } });
    const request = await revokeAlice('INC-45: rejected');
    await h.slack.waitFor(async () => {
      const effects = await h.app.store.listEffects();
      const mine = effects.find((e) => e.kind === 'ssf_session_revoked' && e.payload.request === request.id);
      return mine?.state === 'done' ? mine : undefined;
    });
    await new Promise((r) => setTimeout(r, 400));
    expect(receiver.pushes).toHaveLength(1);
    const rejected = (await h.app.store.listAudit({ requestId: request.id })).filter(
      (r) => r.action === 'signal_rejected',
    );
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.data).toMatchObject({
      err: 'invalid_audience',
      description: 'not ours',
      jti: receiver.pushes[0]?.jti,
    });
  });

  it('a receiver that never answers does not delay the revocation or its results thread', async () => {
    await pushStream();
    receiver.answer = () => 'hang';
    const started = Date.now();
    const request = await revokeAlice('INC-46: slow receiver');
    expect(request.status).toBe('done');
    expect(Date.now() - started).toBeLessThan(5_000);
    const thread = await h.app.store.listEffects(request.id);
    expect(thread.every((e) => e.state === 'done')).toBe(true);
    await h.slack.waitFor(() => receiver.pushes.length >= 2 || undefined, 10_000); // retried after the timeout
    expect(new Set(receiver.pushes.map((p) => p.jti)).size).toBe(1);
    receiver.answer = () => ({ status: 202 });
    await h.slack.waitFor(() => receiver.accepted.length >= 1 || undefined, 10_000);
  });

  it('a poll receiver gets the same SET, and what it acknowledges is removed', async () => {
    const created = await ssfCall(`${issuer}/ssf/stream`, 'POST', SSF_TOKENS.siem, {
      delivery: { method: 'urn:ietf:rfc:8936' },
      events_requested: [SESSION_REVOKED, 'https://example.com/unsupported'],
    });
    expect(created.status).toBe(201);
    const stream = created.json as {
      stream_id: string;
      delivery: { endpoint_url: string };
      events_delivered: string[];
    };
    expect(stream.delivery).toEqual({
      method: 'urn:ietf:rfc:8936',
      endpoint_url: `${issuer}/ssf/poll/${stream.stream_id}`,
    });
    expect(stream.events_delivered).toEqual([SESSION_REVOKED]);
    const request = await revokeAlice('INC-47: poll');
    await h.slack.waitFor(async () => {
      const e = (await h.app.store.listEffects()).find(
        (x) => x.kind === 'ssf_session_revoked' && x.payload.request === request.id,
      );
      return e?.state === 'done' || undefined;
    });
    const poll = (body: unknown, token = SSF_TOKENS.siem) =>
      ssfCall(stream.delivery.endpoint_url, 'POST', token, body);
    expect((await poll({ returnImmediately: true }, SSF_TOKENS.other)).status).toBe(404);
    expect((await poll({ returnImmediately: true }, '')).status).toBe(401);
    const first = await poll({ maxEvents: 10, returnImmediately: true });
    expect(first.status).toBe(200);
    const { sets, moreAvailable } = first.json as { sets: Record<string, string>; moreAvailable: boolean };
    expect(moreAvailable).toBe(false);
    const entries = Object.entries(sets);
    expect(entries).toHaveLength(1);
    const [jti, set] = entries[0] ?? ['', ''];
    const { payload } = await verifySet(set, `${issuer}/ssf/jwks`, issuer, SIEM);
    expect(payload.jti).toBe(jti);
    expect(payload.txn).toBe(request.id);
    // Not acknowledged: handed out again.
    const again = await poll({ returnImmediately: true });
    expect(Object.keys((again.json as { sets: object }).sets)).toEqual([jti]);
    const acked = await poll({ ack: [jti], returnImmediately: true });
    expect((acked.json as { sets: object }).sets).toEqual({});
    const waited = Date.now();
    const empty = await poll({ returnImmediately: false });
    expect(empty.json).toEqual({ sets: {}, moreAvailable: false });
    expect(Date.now() - waited).toBeGreaterThanOrEqual(250);
  });

  it('manages streams as SSF §8 says: read, update, replace, status, verification, delete — each receiver only its own', async () => {
    const stream = await pushStream();
    const url = (p: string) => `${issuer}/ssf/${p}`;
    const id = stream.stream_id;
    expect((await ssfCall(url(`stream?stream_id=${id}`), 'GET', SSF_TOKENS.siem)).json).toEqual(stream);
    expect((await ssfCall(url('stream'), 'GET', SSF_TOKENS.siem)).json).toEqual([stream]);
    // Another receiver neither sees nor changes it.
    expect((await ssfCall(url('stream'), 'GET', SSF_TOKENS.other)).json).toEqual([]);
    for (const [method, path, body] of [
      ['GET', `stream?stream_id=${id}`, undefined],
      ['PATCH', 'stream', { stream_id: id, description: 'mine now' }],
      ['PUT', 'stream', { stream_id: id, delivery: { method: 'urn:ietf:rfc:8936' } }],
      ['DELETE', `stream?stream_id=${id}`, undefined],
      ['GET', `status?stream_id=${id}`, undefined],
      ['POST', 'status', { stream_id: id, status: 'disabled' }],
      ['POST', 'verify', { stream_id: id, state: 'x' }],
    ] as const)
      expect((await ssfCall(url(path), method, SSF_TOKENS.other, body)).status, `${method} ${path}`).toBe(
        404,
      );
    expect((await ssfCall(url('stream'), 'GET', 'not-a-receiver-token-0123456789abcdef')).status).toBe(401);
    // PATCH changes what it names and keeps the rest (the push secret included).
    const patched = await ssfCall(url('stream'), 'PATCH', SSF_TOKENS.siem, {
      stream_id: id,
      description: 'SOC',
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toEqual({ ...stream, description: 'SOC' });
    // PUT replaces every receiver-supplied property.
    const replaced = await ssfCall(url('stream'), 'PUT', SSF_TOKENS.siem, {
      stream_id: id,
      delivery: {
        method: 'urn:ietf:rfc:8935',
        endpoint_url: `${receiver.url}/events`,
        authorization_header: PUSH_AUTHORIZATION,
      },
      events_requested: [SESSION_REVOKED],
    });
    expect(replaced.json).toEqual({ ...stream, description: undefined });
    // Plain http to a non-loopback host is refused with a clear error.
    const insecure = await ssfCall(url('stream'), 'POST', SSF_TOKENS.siem, {
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'http://siem.example.com/events' },
    });
    expect(insecure.status).toBe(400);
    expect((insecure.json as { description: string }).description).toMatch(/https:\/\//);
    // Status.
    expect((await ssfCall(url(`status?stream_id=${id}`), 'GET', SSF_TOKENS.siem)).json).toEqual({
      stream_id: id,
      status: 'enabled',
    });
    const paused = await ssfCall(url('status'), 'POST', SSF_TOKENS.siem, {
      stream_id: id,
      status: 'paused',
      reason: 'maintenance',
    });
    expect(paused.json).toEqual({ stream_id: id, status: 'paused', reason: 'maintenance' });
    expect(
      (await ssfCall(url('status'), 'POST', SSF_TOKENS.siem, { stream_id: id, status: 'sleeping' })).status,
    ).toBe(400);
    // Paused: held, not pushed; enabled again: pushed.
    await revokeAlice('INC-48: while paused');
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.pushes).toHaveLength(0);
    await ssfCall(url('status'), 'POST', SSF_TOKENS.siem, { stream_id: id, status: 'enabled' });
    await h.slack.waitFor(() => receiver.accepted.length === 1 || undefined);
    const held = await verifySet(receiver.accepted[0]?.set ?? '', `${issuer}/ssf/jwks`, issuer, SIEM);
    expect(
      (held.payload.events as Record<string, { reason_admin: unknown }>)[SESSION_REVOKED]?.reason_admin,
    ).toEqual({
      en: 'INC-48: while paused',
    });
    // Verification: 204, then a verification SET echoing the state.
    receiver.pushes.length = 0;
    const verify = await ssfCall(url('verify'), 'POST', SSF_TOKENS.siem, {
      stream_id: id,
      state: 'VGhpcyBpcyBhIHRlc3Q',
    });
    expect(verify.status).toBe(204);
    await h.slack.waitFor(() => receiver.pushes.length === 1 || undefined);
    const v = await verifySet(receiver.pushes[0]?.set ?? '', `${issuer}/ssf/jwks`, issuer, SIEM);
    expect(v.payload.sub_id).toEqual({ format: 'opaque', id });
    expect(v.payload.events).toEqual({ [VERIFICATION]: { state: 'VGhpcyBpcyBhIHRlc3Q' } });
    expect(v.payload.sub).toBeUndefined();
    expect(v.payload.exp).toBeUndefined();
    // Delete: 204, then gone.
    expect((await ssfCall(url(`stream?stream_id=${id}`), 'DELETE', SSF_TOKENS.siem)).status).toBe(204);
    expect((await ssfCall(url(`stream?stream_id=${id}`), 'GET', SSF_TOKENS.siem)).status).toBe(404);
  });

  it('never writes a receiver token or push secret to the log', () => {
    const text = h.logs.join('\n');
    expect(text).not.toContain(SSF_TOKENS.siem);
    expect(text).not.toContain(PUSH_AUTHORIZATION.slice(7));
  });
});
