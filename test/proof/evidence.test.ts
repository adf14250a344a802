import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, calculateJwkThumbprint, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/engine/audit-chain.js';
import type { EvidenceFile } from '../../src/engine/evidence-port.js';
import { fieldDigests } from '../../src/evidence/digests.js';
import { verifyEvidence } from '../../src/evidence/verify.js';
import { cli } from '../cli/run.js';
import { buttonClick } from '../helpers/actions.js';
import { findButton } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';
import { API_TOKENS } from '../helpers/known-secrets.js';
import { approveAndFinish } from './approve.js';

const TOKEN = API_TOKENS.alert;

/** Every string, number and boolean of a value, with its path as the verifier names fields. */
function leaves(value: unknown, path: string): [string, unknown][] {
  if (value === null || typeof value !== 'object') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${path}[${i}]`));
  return Object.entries(value).flatMap(([k, v]) => leaves(v, `${path}.${k}`));
}

/** Sets the value at a path such as `steps[0].result.remaining`. */
function setAt(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.match(/[^.[\]]+/g) ?? [];
  let node = root as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  node[keys.at(-1) ?? ''] = value;
}

/** One byte of a leaf changed: a character of a string, a digit of a number, a boolean flipped. */
function flipped(value: unknown): unknown {
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') return value + 1;
  const s = String(value);
  if (s.length === 0) return 'x';
  const c = s.charCodeAt(s.length - 1);
  return s.slice(0, -1) + String.fromCharCode(c === 0x41 ? 0x42 : 0x41);
}

describe('signed evidence of a finished request (real app, alert API, CLI, Slack)', () => {
  let h: Harness;
  let id: string;
  let slashId: string;
  let pendingId: string;
  let dir: string;
  const get = (path: string, token = TOKEN) =>
    fetch(`${h.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'revoke-evidence-'));
    h = await startHarness({
      REVOKE_API_TOKEN: TOKEN,
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      REVOKE_APPROVERS: 'UAPP1',
      REVOKE_WATCH: 'off',
    });
    h.slack.addUser(user('UAPP1', 'app1@example.com')).addUser(user('UOTHER', 'other@example.com'));
    h.slack.sessions = [
      { user_id: 'UALICE', session_id: 9, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
    const res = await fetch(`${h.url}/api/revocation-requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@example.com', reason: 'EDR: token theft', source: 'edr' }),
    });
    id = ((await res.json()) as { id: string }).id;
    const card = await h.slack.waitFor(() =>
      h.slack.messages.find((m) => findButton(m.blocks, 'approve_request')?.value === id),
    );
    await approveAndFinish(h, id, card.ts);
    await h.delivered();
    // A request from Slack: the alert API's token never reads it.
    await h.interact(submission(formValues({ target: 'UALICE', reason: 'from Slack' })));
    const fromSlack = await h.slack.waitFor(async () =>
      (await h.app.store.listRequestsForTarget('UALICE', 5)).find(
        (x) => x.source === 'slash_command' && x.status === 'done',
      ),
    );
    slashId = fromSlack.id;
    // An alert still waiting for its approver: nothing to prove yet.
    const waiting = await fetch(`${h.url}/api/revocation-requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bob@example.com', reason: 'EDR: second alert', source: 'edr' }),
    });
    pendingId = ((await waiting.json()) as { id: string }).id;
  }, 30_000);
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function exported(): Promise<EvidenceFile> {
    const res = await get(`/api/revocation-requests/${id}/evidence`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`evidence-${id}.json`);
    return (await res.json()) as EvidenceFile;
  }

  it("serves it to the alert API's bearer, only for requests alerts created, with its key at /evidence/jwks.json", async () => {
    expect((await get(`/api/revocation-requests/${id}/evidence`, '')).status).toBe(401);
    expect((await get(`/api/revocation-requests/${id}/evidence`, `${TOKEN}x`)).status).toBe(401);
    expect((await get(`/api/revocation-requests/${slashId}/evidence`)).status).toBe(404);
    expect((await get('/api/revocation-requests/r-mk2x9q4f-7h3kq8zp/evidence')).status).toBe(404);
    const pending = await get(`/api/revocation-requests/${pendingId}/evidence`);
    expect(pending.status).toBe(409);
    expect(((await pending.json()) as { error: string }).error).toBe('not_finished');
    const file = await exported();
    const e = file.evidence;
    expect(e.request.id).toBe(id);
    expect(e.request.source).toBe('api');
    expect(e.request.reason).toBe('EDR: token theft');
    expect(e.decisions).toHaveLength(1);
    expect(e.decisions[0]).toMatchObject({ action: 'approved', by: 'slack:UAPP1' });
    expect(e.steps[0]).toMatchObject({ key: 'slack', state: 'revoked', attempts: 1 });
    expect((e.steps[0]?.timeToContain as { acceptedAfterS: number }).acceptedAfterS).toBeGreaterThanOrEqual(
      0,
    );
    expect(e.audit.records.map((r) => r.action)).toContain('step_finished');
    expect(e.audit.chainHead?.seq).toBeGreaterThanOrEqual(e.audit.records.at(-1)?.seq ?? 0);
    expect(e.configuration.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(e.configuration.summary.systems).toEqual(['slack']);
    // Never a secret: no token, no signing secret, no private key.
    const text = JSON.stringify(file);
    for (const secret of [TOKEN, h.app.config.slack.botToken, h.app.config.slack.signingSecret ?? 'none'])
      expect(text).not.toContain(secret);
    expect(text).not.toContain('"d":');
    const jwks = (await (await fetch(`${h.url}/evidence/jwks.json`)).json()) as {
      keys: { kid: string; d?: string }[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]?.d).toBeUndefined();
    expect(decodeProtectedHeader(file.signature).kid).toBe(jwks.keys[0]?.kid);
    // The export is on record.
    const records = await h.app.store.listAudit({ requestId: id });
    expect(records.at(-1)).toMatchObject({ action: 'evidence_exported', actor: 'api:api-token' });
  });

  it('verifies a real bundle, and names the field when any byte of a step, decision or audit record changes', async () => {
    const file = await exported();
    const jwks = ((await (await fetch(`${h.url}/evidence/jwks.json`)).json()) as { keys: never[] }).keys;
    expect(await verifyEvidence(file, jwks)).toMatchObject({ ok: true, requestId: id });
    const sections = leaves(file.evidence.steps, 'steps')
      .concat(leaves(file.evidence.decisions, 'decisions'))
      .concat(leaves(file.evidence.audit.records, 'audit.records'));
    expect(sections.length).toBeGreaterThan(40);
    for (const [path, value] of sections) {
      const copy = JSON.parse(JSON.stringify(file)) as EvidenceFile;
      setAt(copy.evidence as unknown as Record<string, unknown>, path.replace(/^/, ''), flipped(value));
      const verdict = await verifyEvidence(copy, jwks);
      expect(verdict.ok, path).toBe(false);
      if (!verdict.ok) expect(verdict.field, path).toBe(path);
    }
  }, 30_000);

  it('evidence verify (the CLI, offline): exit 0 on the real bundle; exit 1 naming the field changed', async () => {
    const file = await exported();
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(file, null, 2));
    const keys = join(dir, 'jwks.json');
    writeFileSync(keys, await (await fetch(`${h.url}/evidence/jwks.json`)).text());
    const ok = await cli(['evidence', 'verify', good, '--keys', keys], {});
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`OK: request ${id}`);
    // One byte of the step's outcome.
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, readFileSync(good, 'utf8').replace('"state": "revoked"', '"state": "revokes"'));
    const failed = await cli(['evidence', 'verify', bad], {});
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('FAILED: steps[0].state');
  }, 30_000);

  it('re-signed by someone else: refused when pinned to the served keys; with its own key, the chain names the record', async () => {
    const file = await exported();
    const forged = JSON.parse(JSON.stringify(file)) as EvidenceFile;
    const record = forged.evidence.audit.records.find((r) => r.action === 'step_finished');
    if (!record) throw new Error('no step_finished record');
    (record.data as { state: string }).state = 'failed';
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    const payload = canonicalJson({
      format: forged.evidence.format,
      requestId: id,
      digests: fieldDigests(forged.evidence),
    });
    forged.signature = await new CompactSign(new TextEncoder().encode(payload))
      .setProtectedHeader({ alg: 'RS256', kid, jwk, typ: 'revoke-sessions-evidence+jws' })
      .sign(privateKey);
    const jwks = ((await (await fetch(`${h.url}/evidence/jwks.json`)).json()) as { keys: never[] }).keys;
    expect(await verifyEvidence(forged, jwks)).toMatchObject({ ok: false, field: 'signature.kid' });
    const index = forged.evidence.audit.records.indexOf(record);
    expect(await verifyEvidence(forged)).toMatchObject({ ok: false, field: `audit.records[${index}].hash` });
  });

  it('Download evidence uploads the signed file to the results thread for a requester, and refuses anyone else', async () => {
    const request = await h.app.store.getRequest(id);
    const thread = request?.thread;
    if (!thread) throw new Error('no thread');
    const parent = h.slack
      .callsTo('chat.update')
      .filter((c) => c.args.ts === thread.ts)
      .at(-1);
    const button = findButton(parent?.args, 'download_evidence');
    expect(button?.value).toBe(id);
    const click = (userId: string) =>
      h.interact(
        buttonClick({
          userId,
          actionId: 'download_evidence',
          value: id,
          channel: thread.channel,
          messageTs: thread.ts,
        }),
      );
    await click('UOTHER');
    const refused = await h.slack.waitFor(() => h.slack.messages.find((m) => m.ephemeralFor === 'UOTHER'));
    expect(refused.text).toContain('Only requesters and approvers');
    expect(h.slack.files.size).toBe(0);
    await click('UREQ');
    const uploaded = await h.slack.waitFor(() => [...h.slack.files.values()].find((f) => f.shared));
    expect(uploaded.filename).toBe(`evidence-${id}.json`);
    expect(uploaded.channel).toBe(thread.channel);
    expect(uploaded.threadTs).toBe(thread.ts);
    const file = JSON.parse(uploaded.content ?? '') as EvidenceFile;
    expect(await verifyEvidence(file)).toMatchObject({ ok: true, requestId: id });
    expect(h.slack.callsTo('files.getUploadURLExternal')[0]?.token).toBe(h.app.config.slack.botToken);
    const records = await h.app.store.listAudit({ requestId: id });
    expect(records.filter((r) => r.action === 'evidence_exported').map((r) => r.actor)).toContain(
      'slack:UREQ',
    );
  });

  it('evidence <id> --out (the CLI) signs with the same kept key; a key file (SSF_SIGNING_KEY_FILE) is used instead when set', async () => {
    const out = join(dir, 'cli.json');
    const env = { DATABASE_URL: h.app.config.databaseUrl, REVOKE_RATE_LIMITS: 'off' };
    const run = await cli(['evidence', id, '--out', out], env);
    expect(run.code).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8')) as EvidenceFile;
    const served = (
      (await (await fetch(`${h.url}/evidence/jwks.json`)).json()) as { keys: { kid: string }[] }
    ).keys;
    expect(decodeProtectedHeader(file.signature).kid).toBe(served[0]?.kid);
    expect(await verifyEvidence(file, served as never[])).toMatchObject({ ok: true });

    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const keyFile = join(dir, 'signing.pem');
    writeFileSync(keyFile, pem, { mode: 0o600 });
    const withFile = await cli(['evidence', id], { ...env, SSF_SIGNING_KEY_FILE: keyFile });
    expect(withFile.code).toBe(0);
    const signed = JSON.parse(withFile.stdout) as EvidenceFile;
    const header = decodeProtectedHeader(signed.signature);
    expect(header.kid).not.toBe(served[0]?.kid);
    expect(header.kid).toBe(await calculateJwkThumbprint(header.jwk ?? {}));
    expect(await verifyEvidence(signed)).toMatchObject({ ok: true });
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    writeFileSync(keyFile, small);
    const refused = await cli(['evidence', id], { ...env, SSF_SIGNING_KEY_FILE: keyFile });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'SSF_SIGNING_KEY_FILE must hold an RSA private key of at least 2048 bits for RS256',
    );
    const pending = await cli(['evidence', 'r-mk2x9q4f-7h3kq8zp'], env);
    expect(pending.code).toBe(1);
    expect(pending.stderr).toContain('There is no request');
  }, 60_000);
});
