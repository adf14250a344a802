import { z } from 'zod';

/** One environment as the config reads it: every value trimmed, empty meaning unset. */
export type EnvValues = Readonly<Record<string, string | undefined>>;

/** Treats empty strings as unset, so `FOO=` in a .env file means "not configured". */
export const opt = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** An optional variable's schema; `z.infer` of it is `string | undefined`. */
export type OptVar = typeof opt;

/** An optional http(s) URL; `what` says which one, in the error. */
export const urlVar = (what: string) =>
  opt.superRefine((v, ctx) => {
    if (v === undefined) return;
    if (!/^https?:\/\/[^\s]+$/i.test(v) || !URL.canParse(v)) {
      ctx.addIssue({ code: 'custom', message: `an http(s) URL: ${what}` });
    }
  });

/** An optional token that must start with one of `prefixes`; the error never shows the value. */
export const tokenVar = (prefixes: string[], what: string) =>
  opt.superRefine((v, ctx) => {
    if (v === undefined) return;
    const prefix = prefixes.find((p) => v.startsWith(p));
    if (!prefix) {
      ctx.addIssue({
        code: 'custom',
        message: `${what}, starting with ${prefixes.join(' or ')} (the value given does not; it is not shown here)`,
      });
    } else if (v.length === prefix.length) {
      ctx.addIssue({
        code: 'custom',
        message: `${what}; the value given is only its prefix ${prefix}, so it looks cut off (in .env, quote a value that contains #: VAR="…")`,
      });
    }
  });

/** An optional variable that must match `re`; `message` completes "it must be …". */
export const patternVar = (re: RegExp, message: string) =>
  opt.superRefine((v, ctx) => {
    if (v !== undefined && !re.test(v)) ctx.addIssue({ code: 'custom', message });
  });

/** Splits a comma list, dropping blanks. */
export function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Requires all of a group of variables, or none; names each missing one. True when all are set. */
export function allOrNone(
  env: EnvValues,
  names: readonly string[],
  system: string,
  problems: string[],
): boolean {
  const set = names.filter((n) => env[n] !== undefined);
  if (set.length === 0) return false;
  for (const n of names) {
    if (env[n] === undefined) {
      problems.push(
        `${n} is missing: ${system} is partly configured (${set.join(', ')} set); set it too, or unset the others to disable ${system}`,
      );
    }
  }
  return set.length === names.length;
}

/** A base URL without its trailing slashes. */
export const noTrailingSlash = (url: string): string => url.replace(/\/+$/, '');
