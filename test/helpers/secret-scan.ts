import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAPTURE_KINDS, type CaptureKind, REACH_PREFIX } from './capture.js';

/**
 * Credential-shaped strings that must never appear in output, whatever their
 * value. Written independently of the app's own redaction patterns (src/log.ts),
 * so a gap there is not mirrored here. `[REDACTED]` (the app's mask) passes.
 */
export const TOKEN_PATTERNS: RegExp[] = [
  // Slack: bot, user, app-level, refresh, legacy, client/cookie tokens; workflow function tokens.
  /xox[a-eoprs]-[0-9A-Za-z-]{10,}/g,
  /xapp-\d-[0-9A-Za-z-]{10,}/g,
  /xwfp-[0-9A-Za-z-]{10,}/g,
  // Google OAuth access tokens.
  /ya29\.(?!\[REDACTED\])[0-9A-Za-z._-]{10,}/g,
  // Authorization headers and their schemes, wherever they are printed.
  /Bearer\s+(?!\[REDACTED\]|<)[A-Za-z0-9._~+/=-]{12,}/gi,
  /Basic\s+(?!\[REDACTED\])[A-Za-z0-9+/]{16,}={0,2}/g,
  /SSWS\s+(?!\[REDACTED\])[A-Za-z0-9._~+/=-]{12,}/g,
  /authorization["']?\s*[:=]\s*["']?(?!\[REDACTED\])(?:(?:bearer|basic|ssws|sdk-hmac-sha256)\s+)?(?!\[REDACTED\])[A-Za-z0-9._~+/=-]{12,}/gi,
  /SDK-HMAC-SHA256\s+Access=[^\s,"]*/gi,
  /x-security-token["']?\s*[:=]\s*["']?(?!\[REDACTED\])[^"'\s,}]{6,}/gi,
  // OAuth and form-encoded secrets, and the same names as JSON fields.
  /\b(?:client_secret|access_token|refresh_token|password)=(?!\[REDACTED\])[^&\s"']+/gi,
  /"(?:client_?secret|access_?token|refresh_?token|secret_?key|password)"\s*:\s*"(?!\[REDACTED\])[^"]{6,}"/gi,
  // Key material and connection strings with a password.
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/g,
  /\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis):\/\/[^:\s/@"']+:(?!\[REDACTED\])[^@\s/"']+@/gi,
];

/** Shows a credential by its first four characters and its length only. */
function mask(secret: string): string {
  return `[${secret.slice(0, 4)}…${secret.length} chars]`;
}

function global(re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
}

/** Secrets worth looking for (very short values would match everywhere), longest first. */
function usable(secrets: readonly string[]): string[] {
  return [...new Set(secrets)].filter((s) => s.length >= 6).sort((a, b) => b.length - a.length);
}

/** `text` with every known secret and credential-shaped string masked (safe to print). */
export function maskSecrets(text: string, secrets: readonly string[], patterns = TOKEN_PATTERNS): string {
  let out = text;
  for (const s of usable(secrets)) out = out.split(s).join(mask(s));
  for (const re of patterns) out = out.replace(global(re), (m) => mask(m));
  return out;
}

/**
 * Finds every known secret and every credential-shaped string in `text`;
 * returns one description per finding with its context masked — never the
 * secret itself.
 */
export function findSecrets(text: string, secrets: readonly string[], patterns = TOKEN_PATTERNS): string[] {
  const known = usable(secrets);
  const found: string[] = [];
  // One finding per stretch of text: `Authorization: Bearer <known token>` is one leak, not three.
  const reported: [number, number][] = [];
  const report = (at: number, length: number, what: string) => {
    if (reported.some(([from, to]) => at < to && at + length > from)) return;
    reported.push([at, at + length]);
    const context = maskSecrets(text.slice(Math.max(0, at - 60), at + length + 20), known, patterns);
    found.push(`${what} in: ${context}`);
  };
  for (const s of known) {
    for (let at = text.indexOf(s); at >= 0; at = text.indexOf(s, at + s.length))
      report(at, s.length, `known secret ${mask(s)}`);
  }
  for (const re of patterns) {
    for (const m of text.matchAll(global(re)))
      report(m.index, m[0].length, `credential shape /${re.source}/`);
  }
  return found;
}

export interface ScanReport {
  /** Records (lines) read, per kind of output. */
  counts: Record<CaptureKind, number>;
  /** Records per kind, per test file (`(main process)` for the vitest process's console). */
  byTestFile: Record<string, Partial<Record<CaptureKind, number>>>;
  /** The test files the capture reached (each worker's setup file records its test file). */
  reached: string[];
  /** `<capture file> (<test file>):<line>: <masked finding>` */
  findings: string[];
}

/** The test file(s) each process ran, from the `reach.<pid>.txt` files. */
function testFilesByPid(dir: string, files: string[]): Map<string, string[]> {
  const byPid = new Map<string, string[]>();
  for (const file of files) {
    const [prefix, pid, ext] = file.split('.');
    if (prefix !== REACH_PREFIX || ext !== 'txt' || !pid) continue;
    const tests = readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean);
    byPid.set(pid, [...(byPid.get(pid) ?? []), ...tests]);
  }
  return byPid;
}

/** Scans every capture file (`<kind>.<pid>.txt`) in `dir`. */
export function scanCaptureDir(
  dir: string,
  secrets: readonly string[],
  patterns = TOKEN_PATTERNS,
): ScanReport {
  const counts = Object.fromEntries(CAPTURE_KINDS.map((k) => [k, 0])) as Record<CaptureKind, number>;
  const byTestFile: ScanReport['byTestFile'] = {};
  const findings: string[] = [];
  const files = readdirSync(dir).sort();
  const tests = testFilesByPid(dir, files);
  for (const file of files) {
    const [kind, pid, ext] = file.split('.') as [CaptureKind, string, string];
    if (!CAPTURE_KINDS.includes(kind) || ext !== 'txt') continue;
    const owner = tests.get(pid)?.join(', ') ?? '(main process)';
    const perTest = byTestFile[owner] ?? {};
    byTestFile[owner] = perTest;
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line === '') return;
      counts[kind] += 1;
      perTest[kind] = (perTest[kind] ?? 0) + 1;
      for (const f of findSecrets(line, secrets, patterns))
        findings.push(`${kind} output of ${owner} (${file}:${i + 1}): ${f}`);
    });
  }
  return { counts, byTestFile, reached: [...tests.values()].flat().sort(), findings };
}
