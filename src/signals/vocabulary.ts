/** The URIs and paths of the Shared Signals Framework 1.0, CAEP 1.0 and RISC 1.0 this app speaks. */

export const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
export const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';

export const EVENT = {
  sessionRevoked: `${CAEP}session-revoked`,
  credentialChange: `${CAEP}credential-change`,
  accountDisabled: `${RISC}account-disabled`,
  credentialChangeRequired: `${RISC}account-credential-change-required`,
  sessionsRevoked: `${RISC}sessions-revoked`,
  verification: 'https://schemas.openid.net/secevent/ssf/event-type/verification',
} as const;

/** What this transmitter sends (verification events are sent whatever a stream requests). */
export const EVENTS_SUPPORTED: readonly string[] = [EVENT.sessionRevoked];

/** RFC 8935 (push) and RFC 8936 (poll) as SSF names them. */
export const DELIVERY = { push: 'urn:ietf:rfc:8935', poll: 'urn:ietf:rfc:8936' } as const;

/** The JWT `typ` of a Security Event Token (RFC 8417 §2.3). */
export const SET_TYP = 'secevent+jwt';

/** The endpoints, relative to the issuer (which is also their public base URL). */
export const SSF_PATHS = {
  jwks: '/ssf/jwks',
  stream: '/ssf/stream',
  status: '/ssf/status',
  verify: '/ssf/verify',
  poll: '/ssf/poll',
  events: '/ssf/events',
} as const;

export const WELL_KNOWN = '/.well-known/ssf-configuration';
export const GLOBAL_TOKEN_REVOCATION_PATH = '/oauth/global-token-revocation';

/** The path part of the issuer URL, without a trailing slash (`''` for a bare origin). */
export function issuerPath(issuer: string): string {
  return new URL(issuer).pathname.replace(/\/+$/, '');
}
