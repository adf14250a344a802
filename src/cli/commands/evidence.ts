import { readFileSync, writeFileSync } from 'node:fs';
import { verifyEvidence } from '../../evidence/verify.js';
import type { CliContext } from '../context.js';
import { type Io, safe } from '../output.js';

/**
 * `evidence <request-id> [--out FILE]`: the finished request's signed evidence (JSON) on stdout or
 * in FILE. Exit 1 when there is no such request or it is not finished.
 */
export async function evidenceCommand(
  ctx: CliContext,
  io: Io,
  requestId: string,
  out?: string,
): Promise<number> {
  const result = await ctx.engine.evidence(requestId, ctx.actor);
  if (!result.ok) {
    io.err(safe(result.message));
    return 1;
  }
  const text = `${JSON.stringify(result.file, null, 2)}\n`;
  if (out === undefined) {
    io.out(text.trimEnd());
    return 0;
  }
  writeFileSync(out, text, { mode: 0o644 });
  const { records, steps } = {
    records: result.file.evidence.audit.records.length,
    steps: result.file.evidence.steps.length,
  };
  io.err(
    `Wrote the evidence of ${safe(requestId)} (${steps} step(s), ${records} audit record(s), signed) to ${safe(out)}.`,
  );
  return 0;
}

/**
 * `evidence verify <file> [--keys JWKS]`: checks the signature, every field against what was
 * signed, the audit records' chain hashes, and that steps and decisions say what the audit log
 * says. Needs no configuration or database. Exit 1 naming the first field that does not match.
 */
export async function evidenceVerifyCommand(
  io: Io,
  file: string,
  json: boolean,
  keysFile?: string,
): Promise<number> {
  let parsed: unknown;
  let keys: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
    if (keysFile) keys = (JSON.parse(readFileSync(keysFile, 'utf8')) as { keys?: unknown }).keys;
  } catch (error) {
    io.err(
      `Cannot read ${safe(keysFile && !parsed ? keysFile : file)} as JSON: ${safe((error as Error).message)}`,
    );
    return 2;
  }
  if (keysFile && !Array.isArray(keys)) {
    io.err(`${safe(keysFile)} is not a JWK Set ({"keys": [...]}, as /evidence/jwks.json serves it).`);
    return 2;
  }
  const verdict = await verifyEvidence(parsed, keys as Parameters<typeof verifyEvidence>[1]);
  if (json) io.out(JSON.stringify(verdict));
  else if (verdict.ok)
    io.out(
      `OK: request ${safe(verdict.requestId)} — signature valid (key ${verdict.kid}), every field as signed, ${verdict.records} audit record(s) with intact chain hashes, ${verdict.steps} step(s) consistent with the audit log.`,
    );
  else io.out(`FAILED: ${safe(verdict.field)} — ${safe(verdict.problem)}.`);
  return verdict.ok ? 0 : 1;
}
