import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAPTURE_KINDS, type CaptureKind } from './capture.js';

/** Token-shaped strings that must never appear in output, whatever their value. */
export const TOKEN_PATTERNS: RegExp[] = [
  /xox[abeprs]-[0-9A-Za-z-]{10,}/g,
  /xapp-\d-[0-9A-Za-z-]{10,}/g,
  /xwfp-[0-9A-Za-z-]{10,}/g,
  /Bearer\s+(?!\[REDACTED\]|<)[A-Za-z0-9._~+/=-]{12,}/g,
  /SDK-HMAC-SHA256 Access=[^\s,"]*/g,
  /client_secret=[^&\s"]+/g,
];

/** Shows a credential by its first four characters only. */
function mask(secret: string): string {
  return `[${secret.slice(0, 4)}…${secret.length} chars]`;
}

/** `text` with every known secret and token-shaped string masked (safe to print). */
export function maskSecrets(text: string, secrets: readonly string[], patterns = TOKEN_PATTERNS): string {
  let out = text;
  for (const s of secrets) if (s.length >= 6) out = out.split(s).join(mask(s));
  for (const re of patterns) out = out.replace(new RegExp(re.source, 'g'), (m) => mask(m));
  return out;
}

/**
 * Finds every exact secret and every token-shaped string in `text`; returns one
 * description per finding with its context masked — never the secret itself.
 */
export function findSecrets(text: string, secrets: readonly string[], patterns = TOKEN_PATTERNS): string[] {
  const found: string[] = [];
  const context = (at: number, length: number) =>
    maskSecrets(text.slice(Math.max(0, at - 60), at + length + 20), secrets, patterns);
  for (const s of secrets) {
    const at = text.indexOf(s);
    if (s.length >= 6 && at >= 0) found.push(`secret ${mask(s)} in: ${context(at, s.length)}`);
  }
  for (const re of patterns) {
    for (const m of text.matchAll(new RegExp(re.source, 'g'))) {
      if (secrets.some((s) => s.length >= 6 && m[0].includes(s))) continue; // already reported as a secret
      found.push(`${re.source} in: ${context(m.index, m[0].length)}`);
    }
  }
  return found;
}

export interface ScanReport {
  /** Records (lines) read, per kind of output. */
  counts: Record<CaptureKind, number>;
  /** `<file>:<line>: <masked finding>` */
  findings: string[];
}

/** Scans every capture file (`<kind>.<pid>.txt`) in `dir`. */
export function scanCaptureDir(
  dir: string,
  secrets: readonly string[],
  patterns = TOKEN_PATTERNS,
): ScanReport {
  const counts = Object.fromEntries(CAPTURE_KINDS.map((k) => [k, 0])) as Record<CaptureKind, number>;
  const findings: string[] = [];
  for (const file of readdirSync(dir).sort()) {
    const kind = file.split('.')[0] as CaptureKind;
    if (!CAPTURE_KINDS.includes(kind) || !file.endsWith('.txt')) continue;
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line === '') return;
      counts[kind] += 1;
      for (const f of findSecrets(line, secrets, patterns)) findings.push(`${file}:${i + 1}: ${f}`);
    });
  }
  return { counts, findings };
}
