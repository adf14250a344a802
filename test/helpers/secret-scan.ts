/** Token-shaped strings that must never appear in output, whatever their value. */
const PATTERNS: RegExp[] = [
  /xox[abeprs]-[0-9A-Za-z-]{10,}/,
  /xapp-\d-[0-9A-Za-z-]{10,}/,
  /xwfp-[0-9A-Za-z-]{10,}/,
  /Bearer\s+(?!\[REDACTED\]|<)[A-Za-z0-9._~+/=-]{12,}/,
  /SDK-HMAC-SHA256 Access=/,
];

/** Finds every exact secret and every token-shaped string in `text`; returns what was found (with context). */
export function findSecrets(text: string, secrets: string[]): string[] {
  const found: string[] = [];
  for (const s of secrets) {
    const at = text.indexOf(s);
    if (s.length >= 6 && at >= 0)
      found.push(`secret "${s.slice(0, 4)}…" in: ${text.slice(Math.max(0, at - 60), at + 20)}`);
  }
  for (const re of PATTERNS) {
    const m = re.exec(text);
    if (m) found.push(`${re} in: ${text.slice(Math.max(0, m.index - 60), m.index + 40)}`);
  }
  return found;
}
