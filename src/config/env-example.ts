import { SYSTEMS } from '../providers/registry.js';

/** The shared settings, before the systems' sections. */
const HEAD = `# revoke-sessions configuration. Copy to .env and fill in. Empty means unset.
# A system is enabled when its credentials are set.
#
# Quoting: an unquoted # starts a comment, so REVOKE_APPROVAL_CHANNEL=#security
# reads as empty and SECRET=abc#def as "abc". Quote any value containing #,
# spaces or quotes: SLACK_SIGNING_SECRET="abc#def". The app refuses to start
# when a value looks cut off this way, and names the variable.
#
# Container secrets: every secret variable (and DATABASE_URL) may be read from a file instead,
# named by <VAR>_FILE, e.g. SLACK_BOT_TOKEN_FILE=/run/secrets/slack_bot_token. Set one of the two.

# --- Slack app (required) ---
# Bot token from "OAuth & Permissions" (xoxb-…)
SLACK_BOT_TOKEN=
# Signing secret from "Basic Information" (HTTP mode)
SLACK_SIGNING_SECRET=
# App-level token with connections:write (xapp-…); when set, the app runs in Socket Mode
SLACK_APP_TOKEN=
# Org admin user token (xoxp-…) with admin.users:read and admin.users:write; unset disables the Slack system
SLACK_ADMIN_TOKEN=
# Slack Web API base URL (GovSlack: https://slack-gov.com/api/)
SLACK_API_URL=https://slack.com/api/
# HTTP port; Slack sends requests to /slack/events
PORT=3000

# --- Who may do what (Slack user IDs U…/W… or user-group IDs S…, comma-separated) ---
REVOKE_REQUESTERS=
# defaults to REVOKE_REQUESTERS
REVOKE_APPROVERS=
# Channel ID (C… or G…, not #name: see the channel's "About") for approval cards and results;
# unset posts results in the invoking channel
REVOKE_APPROVAL_CHANNEL=
REVOKE_REQUIRE_APPROVAL=false
REVOKE_APPROVAL_TTL=1h
REVOKE_PROTECTED_USERS=
REVOKE_BREAK_GLASS_USERS=

# --- Store: sqlite:<path> (default, zero setup) or postgres://user:password@host:5432/db ---
DATABASE_URL=sqlite:./data/revoke-sessions.db
# A password with # or other special characters: percent-encode it in the URL and quote the line,
# e.g. DATABASE_URL="postgres://revoke:p%23ss@db.internal:5432/revoke"
# How long start-up keeps retrying an unreachable PostgreSQL (seconds)
DATABASE_CONNECT_RETRY_SECONDS=60

# --- Stopping: on SIGTERM the app takes no new work, lets running work go on this many seconds, then
# releases its leases (another replica, or the next start, takes the rest over at once) and exits 0.
# Keep it below the orchestrator's kill timeout (Kubernetes terminationGracePeriodSeconds, default 30).
SHUTDOWN_GRACE_SECONDS=20

`;

/** The shared settings after them. */
const TAIL = `# --- Alert endpoint POST /api/revocation-requests (bearer token, at least 32 characters); unset turns it off ---
REVOKE_API_TOKEN=

# --- Proof: confirmed, watched, timed and signed (docs/proof.md) ---
# Org owner user token (xoxp-…) with auditlogs:read: Slack's Audit Logs confirm each reset per person;
# unset: Slack resets are not confirmed (the results thread says how to turn this on)
SLACK_AUDIT_TOKEN=
SLACK_AUDIT_API_URL=https://api.slack.com/audit/v1/
# How long to wait for Slack's audit log before saying "not confirmed by Slack within …"
SLACK_AUDIT_CONFIRM_WINDOW=15m
# When to list a person's sessions again after a revocation, to catch a return (1s to 24h each); off disables
REVOKE_WATCH=2m,10m,30m
# RSA private key (PEM, at least 2048 bits) that signs evidence; unset: one the app creates and keeps in the store
SSF_SIGNING_KEY_FILE=

# --- Audit to a SIEM (docs/siem.md): every audit record, in order, at least once (dedupe by seq) ---
# JSON batches POSTed to an https:// URL (http:// only on loopback), signed with HMAC-SHA256 of the secret
# (at least 32 characters) in X-Revoke-Signature; set both, or neither
AUDIT_WEBHOOK_URL=
AUDIT_WEBHOOK_SECRET=
# RFC 5424 syslog, octet-counted, over tcp://host:port or tls://host:port
AUDIT_SYSLOG_URL=

# debug, info, warn or error
LOG_LEVEL=info
# json (one JSON object a line, for log pipelines) or pretty (one readable line, for a terminal)
LOG_FORMAT=json

# --- Vendor budgets: the app keeps itself to each vendor's documented rate limit, per Slack method and
# per system, and leaves a share of every budget to one-person and alert requests while a bulk runs.
# Override a limit as <system>[:<method>]=<count>/<period>, comma-separated, e.g.
# REVOKE_RATE_LIMITS=okta=1200/1m,slack:users.info=200/1m ; "off" keeps only the vendors' 429s.
REVOKE_RATE_LIMITS=
# The share of every budget, and of the run slots (at least one), a bulk leaves free for urgent requests (0% to 50%)
REVOKE_URGENT_RESERVE=5%

# --- Prometheus metrics: GET /metrics on PORT; optional bearer token (at least 16 characters) ---
METRICS_ENABLED=false
METRICS_TOKEN=
`;

/** Shared Signals and the Okta Universal Logout target (docs/shared-signals.md). */
const SIGNALS = `# --- Shared Signals transmitter: every revocation becomes a CAEP session-revoked SET for the receivers'
# streams. The issuer is also the public base URL of the SSF endpoints (https://, or http:// on loopback).
SSF_ISSUER=
# RSA private key, PEM, at least 2048 bits: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072
SSF_SIGNING_KEY_FILE=
# Who may manage streams, and the aud their streams get (tokens at least 32 characters):
# SSF_RECEIVERS='[{"audience":"https://siem.example.com","token":"…"}]'
SSF_RECEIVERS=
# --- Shared Signals receiver POST /ssf/events: transmitters whose signals become approval requests:
# SSF_INBOUND_ISSUERS='[{"issuer":"https://acme.okta.com","jwks_uri":"https://acme.okta.com/oauth2/v1/keys","audience":"https://revoke.example.com"}]'
SSF_INBOUND_ISSUERS=
# --- Okta Universal Logout target POST /oauth/global-token-revocation (all three, or none)
OKTA_UNIVERSAL_LOGOUT_ISSUER=
OKTA_UNIVERSAL_LOGOUT_JWKS_URL=
OKTA_UNIVERSAL_LOGOUT_AUDIENCE=
# true: a Universal Logout call runs at once; false: it waits for an approver in Slack
OKTA_UNIVERSAL_LOGOUT_AUTO=false
`;

/**
 * `.env.example` as the registry makes it: the shared settings, then each system's own section
 * (from its descriptor), in registry order. `npm run generate` writes it; a test checks the file.
 */
export function renderEnvExample(): string {
  const sections = SYSTEMS.flatMap((s) => ('envExample' in s && s.envExample ? [s.envExample] : []));
  return `${HEAD}${sections.join('\n')}\n${TAIL}\n${SIGNALS}`;
}
