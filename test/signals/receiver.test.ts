import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeJwksIssuer } from '../fakes/jwks-issuer.js';
import { FakeSsfReceiver, verifySet } from '../fakes/ssf-receiver.js';
import { buttonClick } from '../helpers/actions.js';
import { isApprovalCard } from '../helpers/blocks.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';
import { SSF_TOKENS, ssfCall, transmitterEnv } from '../helpers/ssf.js';

const IDP = 'https://idp.example.com';
const AUD = 'https://revoke.example.com';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const ACCOUNT_DISABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';

/** The receiver through the real app: signed SETs pushed to POST /ssf/events. */
describe('Shared Signals receiver', () => {
  let h: Harness;
  const idp = new FakeJwksIssuer(IDP);
  // The app transmits too: what an approved signal ends is told onwards, as raised by policy.
  const downstream = new FakeSsfReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'revoke-ssf-in-'));
  let issuer = '';

  beforeAll(async () => {
    await idp.start();
    await downstream.start();
    const transmitter = await transmitterEnv(dir);
    issuer = transmitter.issuer;
    h = await startHarness(
      {
        ...transmitter.env,
        SSF_INBOUND_ISSUERS: JSON.stringify([
          { issuer: IDP, jwks_uri: idp.url, audience: AUD },
          // An issuer whose keys cannot be read (nothing listens on port 1).
          { issuer: 'https://down.example.com', jwks_uri: 'http://127.0.0.1:1/jwks', audience: AUD },
        ]),
        REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
        REVOKE_APPROVERS: 'UAPP1',
      },
      { signals: { jwksCooldownMs: 0 } },
    );
    h.slack.addUser(user('UAPP1', 'app1@example.com'));
  });
  afterAll(async () => {
    await h.close();
    await idp.close();
    await downstream.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    h.slack.messages.length = 0;
  });

  const claims = (over: Record<string, unknown> = {}) => ({
    iss: IDP,
    aud: AUD,
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    sub_id: { format: 'email', email: 'alice@example.com' },
    events: {
      [SESSION_REVOKED]: {
        event_timestamp: Math.floor(Date.now() / 1000),
        initiating_entity: 'policy',
        reason_admin: { en: 'Impossible travel' },
      },
    },
    ...over,
  });
  const push = (set: string, contentType = 'application/secevent+jwt') =>
    fetch(`${h.url}/ssf/events`, { method: 'POST', headers: { 'content-type': contentType }, body: set });
  const refused = async (res: Response) => ({
    status: res.status,
    body: (await res.json()) as { err: string },
  });
  const signalRequests = async () =>
    (await h.app.store.listRequestsForTarget('UALICE', 50)).filter((r) => r.source === 'signal');

  it('turns a valid session-revoked SET into one request waiting for approval, naming the signal', async () => {
    const before = (await signalRequests()).length;
    const set = await idp.sign(claims(), 'secevent+jwt');
    const res = await push(set);
    expect(res.status).toBe(202);
    const requests = await signalRequests();
    expect(requests).toHaveLength(before + 1);
    const [request] = requests;
    expect(request?.status).toBe('pending_approval');
    expect(request?.requester).toEqual({ kind: 'signal', id: IDP, name: `CAEP session-revoked from ${IDP}` });
    expect(request?.reason).toBe(`CAEP session-revoked signal from ${IDP}: Impossible travel`);
    expect(request?.plan?.approvalReason).toMatch(/signal from another system always needs an approver/);
    const card = await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.channel === 'C0APPROVE' && isApprovalCard(m.blocks)),
    );
    expect(JSON.stringify(card.blocks)).toContain('CAEP session-revoked from https://idp.example.com');
    const audit = await h.app.store.listAudit({ requestId: request?.id });
    const created = audit.find((a) => a.action === 'request_created');
    expect(created?.actor).toBe(`signal:${IDP}`);
    expect(created?.data?.source).toBe('signal');
    expect(created?.data?.reason).toBe(`CAEP session-revoked signal from ${IDP}: Impossible travel`);
    // The same SET again: refused as a replay, and still one request.
    expect(await refused(await push(set))).toEqual({
      status: 400,
      body: { err: 'invalid_request', description: 'this jti was received before (replay)' },
    });
    expect(await signalRequests()).toHaveLength(before + 1);

    // Approved by someone else, it runs; the SET it sends onwards says policy raised it.
    await ssfCall(`${issuer}/ssf/stream`, 'POST', SSF_TOKENS.siem, {
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: `${downstream.url}/events` },
      events_requested: [SESSION_REVOKED],
    });
    const click = buttonClick({
      userId: 'UAPP1',
      actionId: 'approve_request',
      value: request?.id ?? '',
      channel: 'C0APPROVE',
      messageTs: card.ts,
    });
    expect((await h.interact(click)).status).toBe(200);
    await h.slack.waitFor(() => downstream.accepted.length >= 1 || undefined);
    const { payload } = await verifySet(
      downstream.accepted[0]?.set ?? '',
      `${issuer}/ssf/jwks`,
      issuer,
      'https://siem.example.com',
    );
    expect(payload.txn).toBe(request?.id);
    expect((payload.events as Record<string, unknown>)[SESSION_REVOKED]).toMatchObject({
      initiating_entity: 'policy',
      reason_admin: { en: `CAEP session-revoked signal from ${IDP}: Impossible travel` },
    });
  });

  it('refuses a bad signature, a wrong audience, an unknown issuer, a stale iat, a wrong typ', async () => {
    const before = (await signalRequests()).length;
    expect(
      await refused(await push(await idp.sign(claims(), 'secevent+jwt', { foreignKey: true }))),
    ).toMatchObject({
      status: 400,
      body: { err: 'invalid_key' },
    });
    expect(
      await refused(await push(await idp.sign(claims({ aud: 'https://someone-else' }), 'secevent+jwt'))),
    ).toMatchObject({
      status: 400,
      body: { err: 'invalid_audience' },
    });
    expect(
      await refused(await push(await idp.sign(claims({ iss: 'https://evil.example.com' }), 'secevent+jwt'))),
    ).toMatchObject({
      status: 400,
      body: { err: 'invalid_issuer' },
    });
    const stale = claims({ iat: Math.floor(Date.now() / 1000) - 3_600 });
    expect(await refused(await push(await idp.sign(stale, 'secevent+jwt')))).toMatchObject({
      status: 400,
      body: { err: 'invalid_request' },
    });
    const future = claims({ iat: Math.floor(Date.now() / 1000) + 3_600 });
    expect(await refused(await push(await idp.sign(future, 'secevent+jwt')))).toMatchObject({
      status: 400,
      body: { err: 'invalid_request' },
    });
    expect(await refused(await push(await idp.sign(claims(), 'JWT')))).toMatchObject({
      status: 400,
      body: { err: 'invalid_request' },
    });
    expect(
      await refused(await push(await idp.sign(claims({ jti: undefined }), 'secevent+jwt'))),
    ).toMatchObject({
      status: 400,
      body: { err: 'invalid_request' },
    });
    expect((await push(await idp.sign(claims(), 'secevent+jwt'), 'application/json')).status).toBe(400);
    expect(await refused(await push('not a jwt'))).toMatchObject({
      status: 400,
      body: { err: 'invalid_request' },
    });
    expect(await signalRequests()).toHaveLength(before);
  });

  it("answers 503 when the issuer's keys cannot be read, so the transmitter tries again", async () => {
    const res = await push(await idp.sign(claims({ iss: 'https://down.example.com' }), 'secevent+jwt'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
  });

  it('follows a key rotation: a SET under a new kid is verified after the JWKS is read again', async () => {
    const kid = await idp.rotate(false);
    const reads = idp.reads;
    const res = await push(await idp.sign(claims(), 'secevent+jwt'));
    expect(res.status).toBe(202);
    expect(idp.reads).toBeGreaterThan(reads);
    expect(kid).toMatch(/^key-/);
  });

  it('a RISC account-disabled signal naming the person by iss_sub becomes a request too', async () => {
    const before = (await signalRequests()).length;
    const set = await idp.sign(
      claims({
        sub_id: { format: 'iss_sub', iss: IDP, sub: 'alice@example.com' },
        events: { [ACCOUNT_DISABLED]: { reason: 'hijacking' } },
      }),
      'secevent+jwt',
    );
    expect((await push(set)).status).toBe(202);
    const [request] = await signalRequests();
    expect((await signalRequests()).length).toBe(before + 1);
    expect(request?.requester.name).toBe(`RISC account-disabled from ${IDP}`);
    expect(request?.status).toBe('pending_approval');
  });

  it('a signal for someone the app cannot find is recorded and answered 202, with no request', async () => {
    const set = await idp.sign(
      claims({ sub_id: { format: 'email', email: 'nobody@example.com' } }),
      'secevent+jwt',
    );
    const res = await push(set);
    expect(res.status).toBe(202);
    const audit = await h.app.store.listAudit({ limit: 1000 });
    const record = audit.find(
      (a) =>
        a.action === 'request_refused' && a.actor === `signal:${IDP}` && /nobody/.test(String(a.data?.why)),
    );
    expect(String(record?.data?.why)).toMatch(/nobody@example\.com/);
    expect(record?.data?.via).toBe('signal');
    // The same jti again is a replay: the signal is on record once.
    expect((await refused(await push(set))).body.err).toBe('invalid_request');
  });
});
