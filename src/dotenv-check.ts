import { parse } from 'dotenv';

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=(.*)$/;

/**
 * Finds `.env` lines whose value dotenv cut at an unquoted `#` (its comment
 * marker): `REVOKE_APPROVAL_CHANNEL=#security` reads as empty, `SECRET=ab#cd`
 * as `ab`. A `#` after whitespace (`LOG_LEVEL=info  # note`) is a comment and
 * is not reported; nor is a variable the real environment sets (dotenv does not
 * override it). Returns `empty` (nothing left) or `cut` per variable name.
 */
export function dotenvCutOffs(
  text: string,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, 'empty' | 'cut'> {
  const parsed = parse(text);
  const found = new Map<string, 'empty' | 'cut'>();
  for (const line of text.split(/\r?\n/)) {
    const m = LINE.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    const name = m[1];
    const raw = m[2];
    if (/^\s*["'`]/.test(raw) || !raw.includes('#')) continue;
    const value = parsed[name];
    if (value === undefined || env[name] !== value) continue;
    const hash = raw.indexOf('#');
    const glued = hash === 0 || !/\s/.test(raw[hash - 1] ?? '');
    if (!glued) continue;
    found.set(name, value.trim() === '' ? 'empty' : 'cut');
  }
  return found;
}
