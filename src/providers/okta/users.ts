import { z } from 'zod';

/** An Okta user as `GET /api/v1/users` answers (only what the app reads). */
export const oktaUser = z.object({
  id: z.string(),
  status: z.string().optional(),
  profile: z
    .object({
      login: z
        .string()
        .nullish()
        .transform((v) => v ?? undefined),
      email: z
        .string()
        .nullish()
        .transform((v) => v ?? undefined),
      firstName: z
        .string()
        .nullish()
        .transform((v) => v ?? undefined),
      lastName: z
        .string()
        .nullish()
        .transform((v) => v ?? undefined),
    })
    .loose(),
});

/** One parsed Okta user. */
export type OktaUser = z.infer<typeof oktaUser>;

/** A string literal of Okta's search language: `"` and `\` escaped with a backslash. */
export function oktaString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The exact search for one address: the user's email or login equals it. */
export function oktaSearchExpression(email: string): string {
  const literal = oktaString(email);
  return `profile.email eq ${literal} or profile.login eq ${literal}`;
}

/**
 * What a security admin should know about an account that is not simply active
 * (https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/ — user status);
 * undefined for ACTIVE, RECOVERY and PASSWORD_EXPIRED. Its sessions are ended all the same.
 */
export function describeStatus(status: string): string | undefined {
  switch (status) {
    case 'SUSPENDED':
      return 'the Okta account is suspended';
    case 'DEPROVISIONED':
      return 'the Okta account is deactivated (deprovisioned)';
    case 'LOCKED_OUT':
      return 'the Okta account is locked out';
    case 'STAGED':
    case 'PROVISIONED':
      return 'the Okta account is not activated yet';
    default:
      return undefined;
  }
}
