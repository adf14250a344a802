/**
 * The vendor rate limits the bulk benchmarks (4 and its "during bulk" companion) put on every
 * fake, time-compressed alike, and the same limits written for the app's own rate budget
 * (`REVOKE_RATE_LIMITS`, `REVOKE_URGENT_RESERVE`), so that the app's budget matches the fakes'.
 */
import type { Systems } from '../systems.js';

/**
 * One minute of every vendor's budget lasts this long here (time compressed 5×). Retry-After
 * stays in whole seconds, as the vendors send it, so a client that honours it loses up to a
 * second (half on average) each time a window runs out; over 12 s windows that is at most 1/12
 * (on average 1/24) of the time. At 6 s windows the rounding alone could use up to 1/6, i.e. the
 * result would measure the rounding, not the app.
 */
export const MINUTE_MS = 12_000;
export const SCALE = 60_000 / MINUTE_MS;
/** Every vendor call (Slack: lookups and admin methods) takes this long. */
export const DELAY_MS = 20;
/** The share of every budget the app keeps for single-person and alert requests. */
export const URGENT_RESERVE = '5%';

/** Slack's documented tiers, per method and minute. */
export const SLACK_LIMITS: Record<string, number> = {
  'users.info': 100, // Tier 4
  'users.lookupByEmail': 50, // Tier 3
  'admin.users.session.list': 20, // Tier 2
  'admin.users.session.reset': 20,
  'admin.users.session.resetBulk': 20,
  'admin.users.session.invalidate': 20,
  'chat.postMessage': 60, // about one a second per channel
  'chat.update': 50, // Tier 3
  'chat.postEphemeral': 100, // Tier 4
};
/** The other systems, per minute: Box documents ~1,000 a user; Mattermost's default is 10 a second; Huawei publishes none (assumed 10 a second). */
export const VENDOR_LIMITS = { box: 1_000, mattermost: 600, huawei: 600 };
/**
 * The identity providers, per minute (assumed, conservative): Okta's org-wide limits for the
 * users API start at 600 a minute; Microsoft Graph throttles per app and tenant far above this
 * (600 modelled); Google's Directory API allows 2,400 queries a minute a user (1,200 modelled).
 */
export const IDP_LIMITS = { okta: 600, entra: 600, google: 1_200 };

/** Every budget of the fakes, per registry system id (Slack per method), per minute. */
export const LIMITS_PER_MINUTE = {
  slack: SLACK_LIMITS,
  okta: IDP_LIMITS.okta,
  entra: IDP_LIMITS.entra,
  google: IDP_LIMITS.google,
  box: VENDOR_LIMITS.box,
  mattermost: VENDOR_LIMITS.mattermost,
  huawei: VENDOR_LIMITS.huawei,
} as const;

/** Puts every limit on the fakes: Slack per method (a sliding window), the others per fake (a fixed one). */
export function applyLimits(s: Systems): void {
  for (const [method, perMinute] of Object.entries(SLACK_LIMITS))
    s.slack.rateLimits.set(method, { max: perMinute, windowMs: MINUTE_MS });
  s.box.limitRate(VENDOR_LIMITS.box, MINUTE_MS);
  s.mm.limitRate(VENDOR_LIMITS.mattermost, MINUTE_MS);
  s.hw.limitRate(VENDOR_LIMITS.huawei, MINUTE_MS);
  s.okta.limitRate(IDP_LIMITS.okta, MINUTE_MS);
  s.entra.limitRate(IDP_LIMITS.entra, MINUTE_MS);
  s.google.limitRate(IDP_LIMITS.google, MINUTE_MS);
}

/** A duration as `REVOKE_RATE_LIMITS` takes it: `12s`, `1m`, `1500ms`. */
function period(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/**
 * `slack:users.info=100/12s,…,okta=600/12s,…`: the fakes' limits, compressed as they are, for the
 * app's own budget (one limit per Slack method, one per other system).
 */
export function rateLimitsEnv(): string {
  const per = period(MINUTE_MS);
  const { slack, ...others } = LIMITS_PER_MINUTE;
  return [
    ...Object.entries(slack).map(([method, n]) => `slack:${method}=${n}/${per}`),
    ...Object.entries(others).map(([system, n]) => `${system}=${n}/${per}`),
  ].join(',');
}

/** The environment that gives the app the fakes' budget and the urgent reserve. */
export function budgetEnv(): Record<string, string> {
  return { REVOKE_RATE_LIMITS: rateLimitsEnv(), REVOKE_URGENT_RESERVE: URGENT_RESERVE };
}

/** The limits in words, for a benchmark's method text. */
export const LIMITS_TEXT = `Every fake enforces its vendor's rate limit and answers 429 with Retry-After (whole seconds) beyond it, in the vendor's own shape (Slack \`ratelimited\`; Box's JSON error with \`retry-after\`; Mattermost's plain-text \`limit exceeded\` with X-Ratelimit-Limit/Remaining/Reset; Huawei's gateway \`APIGW.0308\` body with Retry-After): Slack per method at its documented tier (users.info Tier 4 = 100/min, users.lookupByEmail Tier 3 = 50/min, admin.users.session.* Tier 2 = 20/min, chat.update Tier 3 = 50/min, chat.postMessage ~1/s = 60/min), Box 1,000/min (its documented ~1,000 a minute a user), Mattermost 600/min (the default of its server's rate limiting — off unless enabled — is 10 a second with a burst of 100; modelled as the same average, 600 a minute), Huawei 600/min (no published figure; assumed 10 a second), Okta 600/min, Entra ID 600/min and Google Workspace 1,200/min (assumed; see the source). Slack counts a sliding minute; the others a fixed one from its first call. Time is compressed ${SCALE}× for every system alike — one minute of budget lasts ${MINUTE_MS / 1000} s here; Retry-After stays in whole seconds as the vendors send it. The app is given the same limits for its own rate budget (\`REVOKE_RATE_LIMITS\`, e.g. \`slack:users.info=100/${period(MINUTE_MS)},okta=600/${period(MINUTE_MS)}\`) with \`REVOKE_URGENT_RESERVE=${URGENT_RESERVE}\` kept for single-person and alert requests (an app without that budget ignores both).`;
