/**
 * The one way every system compares email addresses.
 *
 * Only ASCII letters are case-folded (`A`–`Z` → `a`–`z`) and only ASCII
 * whitespace is trimmed; every other character must be identical. No Unicode
 * case mapping or normalisation is applied, because those turn lookalikes into
 * real addresses: `'\u212A'.toLowerCase()` (the Kelvin sign) is `k`,
 * `'\u0130'.toLowerCase()` is `i` plus a combining dot, and NFKC turns
 * fullwidth letters and `ſ` (long s) into plain ones.
 */

const ASCII_SPACE = /^[ \t\r\n\f\v]+|[ \t\r\n\f\v]+$/g;
const ASCII_UPPER = /[A-Z]/g;

/** The address with ASCII whitespace trimmed and ASCII capitals lowered; nothing else changes. */
export function foldEmail(address: string): string {
  return address
    .replace(ASCII_SPACE, '')
    .replace(ASCII_UPPER, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/** The folded address, or undefined for a missing or blank one. */
export function foldEmailOrUndefined(address: string | null | undefined): string | undefined {
  if (typeof address !== 'string') return undefined;
  return foldEmail(address) || undefined;
}

/** True when both addresses are present and equal after {@link foldEmail}; a blank never matches. */
export function sameEmail(a: string | null | undefined, b: string | null | undefined): boolean {
  const fa = foldEmailOrUndefined(a);
  return fa !== undefined && fa === foldEmailOrUndefined(b);
}
