import type { KnownBlock } from '@slack/types';
import { unreadableGroups } from '../../engine/access.js';
import {
  allTargets,
  type RequestStatus,
  type RevocationRequest,
  type RevocationStep,
  type StepState,
} from '../../engine/types.js';
import type { Person } from '../../providers/types.js';
import { escapeInline, mention, quoteBlock } from '../../util/mrkdwn.js';
import type { Labels } from './labels.js';
import { containBlock, evidenceBlock, repeatBlock } from './proof.js';
import { describeSession } from './request-modal.js';

/** A chat message: fallback text plus blocks. */
export interface Message {
  text: string;
  blocks: KnownBlock[];
}

export type { Labels };

export const STATUS_LINE: Record<RequestStatus, string> = {
  pending_approval: ':hourglass: Waiting for approval',
  approved: ':arrow_forward: Approved, starting',
  running: ':hourglass_flowing_sand: In progress',
  done: ':white_check_mark: Finished',
  partially_failed: ':warning: Finished with problems',
  failed: ':x: Failed',
  denied: ':no_entry_sign: Denied',
  expired: ':alarm_clock: Expired',
};

const SCOPE_TEXT = { all: 'all devices', web: 'web only', mobile: 'mobile only' } as const;

/** The person as shown in messages: a mention when we have their Slack ID, else their escaped email. */
export function personText(request: RevocationRequest): string {
  const more = request.additionalTargets?.length ?? 0;
  return more > 0 ? `${more + 1} people` : onePerson(request.target);
}

/** One person: a mention when we have their Slack ID, else their escaped email. */
export function onePerson(person: Person): string {
  const { slackUserId, email, displayName } = person;
  if (slackUserId) return email ? `${mention(slackUserId)} (${escapeInline(email)})` : mention(slackUserId);
  return escapeInline(email ?? displayName ?? 'unknown person');
}

const STATE_ICON: Record<StepState, string> = {
  pending: ':white_circle:',
  running: ':hourglass_flowing_sand:',
  revoked: ':white_check_mark:',
  queued: ':hourglass:',
  partial: ':warning:',
  failed: ':x:',
  no_account: ':heavy_minus_sign:',
  ambiguous: ':warning:',
  not_allowed: ':no_entry:',
};

const MAX_PEOPLE_LISTED = 30;

/** For a bulk request: one line per person with an icon per system, bounded. */
function peopleLines(request: RevocationRequest, steps: RevocationStep[], labels: Labels): string {
  const people = allTargets(request);
  const listed = people.slice(0, MAX_PEOPLE_LISTED);
  // One pass over the steps (not one per person listed): the parent is redrawn while a bulk runs.
  const byPerson = listed.map((): RevocationStep[] => []);
  for (const s of steps) byPerson[s.targetIndex]?.push(s);
  const lines = listed.map((person, i) => {
    const states = (byPerson[i] ?? [])
      .map((s) => `${escapeInline(labels(s.system))} ${STATE_ICON[s.state]}`)
      .join('  ');
    return `• ${onePerson(person)} — ${states}`;
  });
  if (people.length > MAX_PEOPLE_LISTED)
    lines.push(
      `• …and ${people.length - MAX_PEOPLE_LISTED} more (see \`/revoke-sessions status ${request.id}\`)`,
    );
  return `*People*\n${lines.join('\n')}`.slice(0, 3000);
}

function actorText(request: RevocationRequest): string {
  const r = request.requester;
  if (r.kind !== 'slack') return `${escapeInline(r.name ?? r.id)} (${r.kind})`;
  return request.source === 'workflow' ? `${mention(r.id)} via a Workflow Builder step` : mention(r.id);
}

const MAX_CHOSEN_LISTED = 10;

/**
 * "Only selected sessions": per system, exactly the sessions that will be (or were) ended — as the
 * system listed them for this person when the request was recorded — and the chosen ids it did not
 * list for them, which are never revoked.
 */
export function chosenSessionsText(request: RevocationRequest, labels: Labels): string | undefined {
  if (!request.selection) return undefined;
  const lines: string[] = [];
  for (const system of request.systems) {
    const ids = request.selection[system];
    if (!ids) continue;
    const name = `*${escapeInline(labels(system))}*`;
    const planned = request.plan?.chosenSessions?.[system];
    if (!planned) {
      lines.push(
        `${name}: ${ids.length} chosen session(s) — could not be listed when requested; each is checked against this person's sessions before anything is ended`,
      );
      continue;
    }
    lines.push(`${name}: ${planned.length} chosen session(s)`);
    for (const session of planned.slice(0, MAX_CHOSEN_LISTED)) lines.push(`• ${describeSession(session)}`);
    if (planned.length > MAX_CHOSEN_LISTED) lines.push(`• …and ${planned.length - MAX_CHOSEN_LISTED} more`);
    const listed = new Set(planned.map((p) => p.id));
    const foreign = ids.filter((id) => !listed.has(id));
    if (foreign.length > 0) {
      lines.push(
        `:no_entry: ${foreign.length} chosen id(s) not listed for this person — never revoked: ${foreign
          .slice(0, MAX_CHOSEN_LISTED)
          .map((id) => `\`${escapeInline(id, 80)}\``)
          .join(', ')}`,
      );
    }
  }
  return `*Sessions chosen to end*\n${lines.join('\n')}`.slice(0, 3000);
}

/** Slack's date formatting, which each reader sees in their own time zone. */
export function slackDate(iso: string): string {
  const epoch = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${epoch}^{date_short_pretty} {time}|${iso}>`;
}

/** Who decided (`slack:U…` as a mention, anyone else as escaped text). */
export function decidedByText(decidedBy: string): string {
  const [kind, id] = decidedBy.split(':');
  return kind === 'slack' && id ? mention(id) : escapeInline(decidedBy);
}

/** The approval / decision line of a card, or undefined when no approval was involved. */
function decisionLine(request: RevocationRequest): string | undefined {
  if (request.breakGlass && request.decidedBy) {
    return `:rotating_light: *BREAK-GLASS*: approved by the requester ${decidedByText(request.decidedBy)} without a second person. Justification:\n${quoteBlock(request.decisionNote ?? '')}`;
  }
  if (request.status === 'pending_approval') {
    const why = request.plan?.approvalReason ? ` (${escapeInline(request.plan.approvalReason, 300)})` : '';
    return `:lock: Needs approval${why} by someone in REVOKE_APPROVERS other than the requester — expires ${request.expiresAt ? slackDate(request.expiresAt) : 'never'}.`;
  }
  if (request.status === 'expired') return ':alarm_clock: Expired without a decision; nothing was revoked.';
  if (request.status === 'denied' && request.decidedBy) {
    return `:no_entry_sign: Denied by ${decidedByText(request.decidedBy)}; nothing was revoked.${request.decisionNote ? `\n${quoteBlock(request.decisionNote)}` : ''}`;
  }
  if (request.decidedBy && request.decidedAt) {
    return `:white_check_mark: Approved by ${decidedByText(request.decidedBy)} ${slackDate(request.decidedAt)}.`;
  }
  return undefined;
}

/**
 * Buttons of a pending approval card (and of the App Home's pending list: `blockId` unique per
 * view); the value is the request ID. The same action IDs reach the same guarded listeners.
 */
export function approvalButtons(request: RevocationRequest, blockId = 'approval'): KnownBlock {
  return {
    type: 'actions',
    block_id: blockId,
    elements: [
      {
        type: 'button',
        action_id: 'approve_request',
        style: 'primary',
        text: { type: 'plain_text', text: 'Approve' },
        value: request.id,
        confirm: {
          title: { type: 'plain_text', text: 'Revoke these sessions?' },
          text: {
            type: 'mrkdwn',
            text: `The person is signed out of ${request.systems.length} system(s) at once.`,
          },
          confirm: { type: 'plain_text', text: 'Approve' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      },
      {
        type: 'button',
        action_id: 'deny_request',
        style: 'danger',
        text: { type: 'plain_text', text: 'Deny' },
        value: request.id,
      },
      {
        type: 'button',
        action_id: 'break_glass_request',
        text: { type: 'plain_text', text: 'Break glass…' },
        value: request.id,
      },
    ],
  };
}

export interface ParentOptions {
  /** Show Approve / Deny / Break-glass (the pending card). */
  buttons?: boolean;
  /** The session preview shown to the approver, as mrkdwn lines. */
  preview?: string | undefined;
}

/**
 * The parent message: the approval card while pending, then (resolved, without
 * buttons) the head of the results thread, updated in place as systems finish.
 */
export function parentMessage(
  request: RevocationRequest,
  steps: RevocationStep[],
  labels: Labels,
  options: ParentOptions = {},
): Message {
  const done = steps.filter((s) => s.state !== 'pending' && s.state !== 'running').length;
  const systems = request.systems.map((s) => escapeInline(labels(s))).join(', ');
  const scope = request.systems.includes('slack') ? ` · Slack scope: ${SCOPE_TEXT[request.slackScope]}` : '';
  const selected = request.selection ? ' · only selected sessions' : '';
  let status = STATUS_LINE[request.status];
  const unit = request.additionalTargets?.length ? 'person-system steps' : 'systems';
  if (request.status === 'running') status += ` — ${done} of ${steps.length} ${unit} finished`;
  if (request.summary) status += ` — ${escapeInline(request.summary)}`;
  const verb = request.status === 'pending_approval' ? 'Request to revoke' : 'Revoking';
  const head = `:rotating_light: ${verb} sessions for ${personText(request)} — requested by ${actorText(request)}`;
  const decision = decisionLine(request);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: head } },
    { type: 'section', text: { type: 'mrkdwn', text: `*Reason*\n${quoteBlock(request.reason)}` } },
  ];
  if (request.plan?.protectedTarget) {
    const who = request.additionalTargets?.length ? 'one of the people is' : 'this person is';
    const unknown = request.plan.protectionUnknown;
    blocks.push({
      type: 'section',
      block_id: 'protected',
      text: {
        type: 'mrkdwn',
        text: unknown?.length
          ? `:shield: *Treated as protected:* could not check whether ${who} in REVOKE_PROTECTED_USERS (${escapeInline(unreadableGroups(unknown), 300)}), so an approver must approve.`
          : `:shield: *Protected:* ${who} in REVOKE_PROTECTED_USERS, so an approver must approve.`,
      },
    });
  }
  const repeat = repeatBlock(request);
  if (repeat) blocks.push(repeat);
  if (request.additionalTargets?.length)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: peopleLines(request, steps, labels) } });
  const first = request.plan?.firstSystems ?? [];
  const downstream = request.systems.filter((s) => !first.includes(s));
  if (first.length > 0 && downstream.length > 0) {
    blocks.push({
      type: 'context',
      block_id: 'order',
      elements: [
        {
          type: 'mrkdwn',
          text: `Order: ${first.map((s) => escapeInline(labels(s))).join(', ')} first (single sign-on), then the other systems right after, so nobody signs in again through it in between.`,
        },
      ],
    });
  }
  const chosen = chosenSessionsText(request, labels);
  if (chosen)
    blocks.push({ type: 'section', block_id: 'chosen_sessions', text: { type: 'mrkdwn', text: chosen } });
  if (options.preview)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: options.preview.slice(0, 3000) } });
  if (decision)
    blocks.push({
      type: 'section',
      block_id: 'decision',
      text: { type: 'mrkdwn', text: decision.slice(0, 3000) },
    });
  blocks.push(
    { type: 'section', text: { type: 'mrkdwn', text: `*Status:* ${status}` } },
    ...[containBlock(request, steps, labels)].filter((b): b is KnownBlock => b !== undefined),
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `Systems: ${systems}${scope}${selected} · Request \`${request.id}\`` },
      ],
    },
  );
  if (options.buttons && request.status === 'pending_approval') blocks.push(approvalButtons(request));
  const evidence = evidenceBlock(request);
  if (evidence) blocks.push(evidence);
  const who = request.additionalTargets?.length
    ? `${request.additionalTargets.length + 1} people`
    : (request.target.email ?? request.target.slackUserId ?? 'a person');
  return {
    text: `${request.breakGlass ? 'BREAK-GLASS: ' : ''}${verb} sessions for ${who}: ${request.summary ?? request.status.replace('_', ' ')}`,
    blocks,
  };
}
