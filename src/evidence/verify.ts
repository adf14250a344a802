import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, EmbeddedJWK, type JWK } from 'jose';
import { z } from 'zod';
import { auditHash } from '../engine/audit-chain.js';
import { EVIDENCE_FORMAT } from '../engine/evidence-port.js';
import type { AuditRecord } from '../engine/store-port/index.js';
import { fieldDigests, fieldName, firstDifference } from './digests.js';
import { EVIDENCE_TYP } from './sign.js';

/** What verification found: every check passed, or the first field that does not match, and why. */
export type Verdict =
  | { ok: true; requestId: string; kid: string; records: number; steps: number; chainHead: number | null }
  | { ok: false; field: string; problem: string };

const fail = (field: string, problem: string): Verdict => ({ ok: false, field, problem });

const fileShape = z.object({
  evidence: z
    .object({
      format: z.string(),
      request: z.object({ id: z.string(), reason: z.string().optional() }).loose(),
      decisions: z.array(
        z.object({
          seq: z.number(),
          action: z.string(),
          by: z.string(),
          at: z.string(),
          note: z.string().nullable(),
        }),
      ),
      steps: z.array(
        z.object({ key: z.string(), system: z.string(), person: z.number(), state: z.string() }).loose(),
      ),
      audit: z.object({
        records: z.array(
          z.object({
            seq: z.number(),
            at: z.string(),
            requestId: z.string().nullable(),
            actor: z.string(),
            action: z.string(),
            data: z.record(z.string(), z.unknown()),
            prevHash: z.string(),
            hash: z.string(),
          }),
        ),
        chainHead: z.object({ seq: z.number(), hash: z.string() }).nullable(),
      }),
    })
    .loose(),
  signature: z.string(),
});

const manifestShape = z.object({
  format: z.string(),
  requestId: z.string(),
  digests: z.array(z.tuple([z.string(), z.string()])),
});

/**
 * Verifies an evidence file offline: the signature (with the key in its header, and — when `keys`
 * are given, e.g. the app's `/evidence/jwks.json` — only with one of those), every field against
 * its signed digest, each audit record's chain hash, and the consistency of decisions, steps and
 * request with the audit records. Returns the first field that does not match.
 */
export async function verifyEvidence(file: unknown, keys?: readonly JWK[]): Promise<Verdict> {
  const parsed = fileShape.safeParse(file);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(
      issue?.path.join('.') || '(the file)',
      `not an evidence file: ${issue?.message ?? 'malformed'}`,
    );
  }
  const { evidence, signature } = parsed.data;
  let payload: Uint8Array;
  let kid: string;
  try {
    const header = decodeProtectedHeader(signature);
    if (header.typ !== EVIDENCE_TYP || header.alg !== 'RS256' || !header.jwk)
      return fail('signature', 'not an RS256 evidence signature with its public key');
    kid = await calculateJwkThumbprint(header.jwk);
    if (header.kid !== kid)
      return fail('signature.kid', 'the key id is not the thumbprint of the key in the header');
    if (keys && !keys.some((k) => k.kid === kid))
      return fail('signature.kid', `key ${kid} is not one of the keys given`);
    payload = (await compactVerify(signature, EmbeddedJWK)).payload;
  } catch {
    return fail('signature', 'the signature does not verify');
  }
  const manifest = manifestShape.safeParse(JSON.parse(new TextDecoder().decode(payload)));
  if (!manifest.success) return fail('signature', 'the signed payload is not an evidence manifest');
  if (manifest.data.requestId !== evidence.request.id)
    return fail('request.id', 'not the request that was signed');
  const changed = firstDifference(manifest.data.digests, fieldDigests(evidence));
  if (changed !== undefined) return fail(fieldName(changed), 'does not match what was signed');
  if (evidence.format !== EVIDENCE_FORMAT) return fail('format', `unknown format ${evidence.format}`);
  const chain = checkChain(evidence.request.id, evidence.audit.records, evidence.audit.chainHead);
  if (chain) return chain;
  const consistent = checkConsistency(evidence);
  if (consistent) return consistent;
  return {
    ok: true,
    requestId: evidence.request.id,
    kid,
    records: evidence.audit.records.length,
    steps: evidence.steps.length,
    chainHead: evidence.audit.chainHead?.seq ?? null,
  };
}

/** Each record hashes to its own hash from its predecessor's; in order, this request's, within the head. */
function checkChain(
  requestId: string,
  records: AuditRecord[],
  head: { seq: number; hash: string } | null,
): Verdict | undefined {
  let seq = 0;
  for (const [i, r] of records.entries()) {
    const at = `audit.records[${i}]`;
    if (r.requestId !== requestId) return fail(`${at}.requestId`, 'a record of another request');
    if (r.seq <= seq) return fail(`${at}.seq`, 'records out of sequence');
    if (auditHash(r) !== r.hash) return fail(`${at}.hash`, `record ${r.seq} does not hash to its chain hash`);
    seq = r.seq;
  }
  const last = records.at(-1);
  if (last && (!head || head.seq < last.seq))
    return fail('audit.chainHead', 'the chain head is before the last record');
  if (last && head && head.seq === last.seq && head.hash !== last.hash)
    return fail('audit.chainHead.hash', 'the chain head is not the last record');
  return undefined;
}

type Evidence = z.infer<typeof fileShape>['evidence'];

/** Decisions, steps and the request say what their audit records say. */
function checkConsistency(evidence: Evidence): Verdict | undefined {
  const records = evidence.audit.records;
  for (const [i, d] of evidence.decisions.entries()) {
    const r = records.find((x) => x.seq === d.seq);
    if (!r) return fail(`decisions[${i}].seq`, 'no audit record');
    if (r.action !== d.action) return fail(`decisions[${i}].action`, `the audit record says ${r.action}`);
    if (r.actor !== d.by) return fail(`decisions[${i}].by`, 'not who the audit record names');
    if (r.at !== d.at) return fail(`decisions[${i}].at`, 'not when the audit record says');
    if ((typeof r.data.note === 'string' ? r.data.note : null) !== d.note)
      return fail(`decisions[${i}].note`, 'not the note in the audit record');
  }
  const created = records.find((r) => r.action === 'request_created');
  if (created && created.data.reason !== evidence.request.reason)
    return fail('request.reason', 'not the reason recorded when the request was created');
  for (const [i, s] of evidence.steps.entries()) {
    let state: unknown;
    let account: unknown;
    for (const r of records) {
      if (r.action === 'step_finished' && r.data.system === s.system && r.data.person === s.person) {
        state = r.data.state;
        account = (r.data.account as { id?: unknown } | null)?.id;
      }
      if (r.action === 'slack_reset_confirmation') {
        const mine = (r.data.steps as { key?: unknown; state?: unknown }[] | undefined)?.find(
          (x) => x.key === s.key,
        );
        if (mine) state = mine.state;
      }
    }
    if (state === undefined) {
      if (['pending', 'running'].includes(s.state)) continue;
      return fail(`steps[${i}].state`, 'no audit record of the step finishing');
    }
    if (state !== s.state) return fail(`steps[${i}].state`, `the audit log says ${String(state)}`);
    const id = (s.account as { id?: unknown } | undefined)?.id;
    if ((account ?? undefined) !== id)
      return fail(`steps[${i}].account.id`, 'not the account in the audit log');
  }
  return undefined;
}
