import { z } from 'zod';

/** A subject identifier (RFC 9493) as an inbound SET or a Universal Logout call names it. */
const simple = z
  .object({
    format: z.string(),
    email: z.string().optional(),
    iss: z.string().optional(),
    sub: z.string().optional(),
    uri: z.string().optional(),
  })
  .passthrough();

const EMAIL = /^[^@\s]{1,64}@[^@\s]{1,253}$/;

export type SubjectResult = { email: string } | { unsupported: string };

/**
 * The email a subject names: `email`; `iss_sub` whose `sub` is an email; `account` (`acct:` URI);
 * or `complex` with such a `user`. Any other format (or an `iss_sub` whose `sub` is an opaque id)
 * is `unsupported`, with the reason.
 */
export function emailOfSubject(subject: unknown): SubjectResult {
  const parsed = simple.safeParse(subject);
  if (!parsed.success) return { unsupported: 'the subject is not a subject identifier object' };
  const s = parsed.data;
  const email = (v: string | undefined) => (v && EMAIL.test(v) ? { email: v } : undefined);
  switch (s.format) {
    case 'email':
      return email(s.email) ?? { unsupported: 'the email subject has no valid email' };
    case 'iss_sub':
      return (
        email(s.sub) ?? {
          unsupported:
            'the iss_sub subject names an id that is not an email; only email-shaped subjects can be matched to a person',
        }
      );
    case 'account':
      return email(s.uri?.replace(/^acct:/, '')) ?? { unsupported: 'the account subject has no acct: URI' };
    case 'complex':
      return 'user' in s ? emailOfSubject(s.user) : { unsupported: 'the complex subject has no user' };
    default:
      return {
        unsupported: `subject format ${String(s.format).slice(0, 40)} is not supported (email, iss_sub, account, complex)`,
      };
  }
}
