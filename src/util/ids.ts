import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A short, time-ordered, unguessable request ID such as `r-mk2x9q4f-7h3kq8zp`. */
export function newRequestId(now: number = Date.now()): string {
  const bytes = randomBytes(8);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 32];
  return `r-${now.toString(36)}-${rand}`;
}

/** True for strings shaped like {@link newRequestId}'s output. */
export function isRequestId(text: string): boolean {
  return /^r-[0-9a-z]{6,12}-[0-9a-z]{8}$/.test(text);
}
