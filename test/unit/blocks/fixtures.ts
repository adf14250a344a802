/** Fixed inputs for the Block Kit builder specs: no clock, no ids generated at run time. */
import type { SystemId } from '../../../src/config.js';
import type { SystemPreview } from '../../../src/engine/plan.js';
import type { RevocationRequest, RevocationStep, StepResult, StepState } from '../../../src/engine/types.js';
import { SYSTEMS } from '../../../src/providers/registry.js';
import type { ProviderCapabilities, Session } from '../../../src/providers/types.js';
import type { Labels } from '../../../src/slack/blocks/results.js';

/** Text a user could type to ping a channel, mention someone, inject an entity and restyle text. */
export const HOSTILE = '<!here> <@U1> & *bold*';
/** {@link HOSTILE} as it must appear in mrkdwn: entities escaped, formatting characters left alone. */
export const HOSTILE_ESCAPED = '&lt;!here&gt; &lt;@U1&gt; &amp; *bold*';
/** An email address carrying {@link HOSTILE}-style markup. */
export const HOSTILE_EMAIL = '<!here>&*bold*@example.com';
export const HOSTILE_EMAIL_ESCAPED = '&lt;!here&gt;&amp;*bold*@example.com';

export const CREATED = '2026-03-01T12:00:00.000Z';
export const EXPIRES = '2026-03-01T13:00:00.000Z';
export const DECIDED = '2026-03-01T12:05:00.000Z';

/** Every system's label and capabilities, from the registry (a new system needs nothing here). */
const LABELS = Object.fromEntries(SYSTEMS.map((s) => [s.id, s.label])) as Record<SystemId, string>;

export const labels: Labels = (system) => LABELS[system];

/**
 * Capabilities per system: fixed ones for the four the specs exercise (each lookup and listing
 * outcome of the preview), the registry's for any other.
 */
export const CAPABILITIES: Record<SystemId, ProviderCapabilities> = {
  ...(Object.fromEntries(SYSTEMS.map((s) => [s.id, s.capabilities])) as Record<
    SystemId,
    ProviderCapabilities
  >),
  slack: {
    listSessions: true,
    revokeSelected: true,
    asyncRevoke: false,
    scopes: true,
    listingCoversRevokeAll: false,
  },
  box: {
    listSessions: false,
    revokeSelected: false,
    asyncRevoke: false,
    scopes: false,
    listingCoversRevokeAll: false,
  },
  mattermost: {
    listSessions: true,
    revokeSelected: true,
    asyncRevoke: false,
    scopes: false,
    listingCoversRevokeAll: false,
  },
  huawei: {
    listSessions: false,
    revokeSelected: false,
    asyncRevoke: true,
    scopes: false,
    listingCoversRevokeAll: false,
  },
};

/** A pending single-person request from the slash command, for Slack and Box. */
export function makeRequest(over: Partial<RevocationRequest> = {}): RevocationRequest {
  return {
    id: 'req_01HXTEST',
    source: 'slash_command',
    requester: { kind: 'slack', id: 'UREQ' },
    target: { slackUserId: 'UALICE', email: 'alice@example.com', displayName: 'alice' },
    systems: ['slack', 'box'],
    slackScope: 'all',
    reason: 'INC-1234: phished credentials',
    status: 'pending_approval',
    createdAt: CREATED,
    updatedAt: CREATED,
    expiresAt: EXPIRES,
    plan: { approvalReason: 'REVOKE_REQUIRE_APPROVAL is on' },
    ...over,
  };
}

/** One step of {@link makeRequest}'s request. */
export function makeStep(
  system: SystemId,
  state: StepState,
  result?: StepResult,
  targetIndex = 0,
): RevocationStep {
  return {
    requestId: 'req_01HXTEST',
    key: targetIndex === 0 ? system : `${system}#${targetIndex}`,
    system,
    targetIndex,
    state,
    attempts: state === 'pending' ? 0 : 1,
    result,
  };
}

export const SESSIONS: Session[] = [
  { id: 'S1', device: 'Mac Desktop 4.41', os: 'macOS', ip: '10.1.1.1', lastActiveAt: '2026-03-01T11:00:00Z' },
  { id: 'S2', device: 'iPhone', os: 'iOS 18', kind: 'mobile' },
];

/** A found account with listed sessions. */
export function foundPreview(system: SystemId, sessions: Session[] = SESSIONS): SystemPreview {
  return {
    system,
    label: LABELS[system],
    capabilities: CAPABILITIES[system],
    lookup: { status: 'found', account: { system, id: `${system}-1`, login: 'alice@example.com' } },
    ...(CAPABILITIES[system].listSessions ? { sessions } : {}),
  };
}
