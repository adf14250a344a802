import type { HomeView, KnownBlock } from '@slack/types';
import type { HomeReads } from '../../engine/home.js';
import type { RevocationRequest } from '../../engine/types.js';
import type { HealthLine } from '../../runtime/system-health.js';
import { escapeInline, mention } from '../../util/mrkdwn.js';
import { approvalButtons, type Labels, personText, STATUS_LINE, slackDate } from '../blocks/results.js';

/** The Home's **Revoke sessions…** button (opens the same form as /revoke-sessions). */
export const HOME_OPEN_FORM_ACTION = 'home_open_form';

/** Who the viewer is to the app: each a membership answer (`unknown`: the check could not be made). */
export interface HomeRoles {
  approver: 'member' | 'not_member' | 'unknown';
  requester: 'member' | 'not_member' | 'unknown';
}

export interface HomeContent {
  roles: HomeRoles;
  /** Undefined for a stranger: nothing about any request is read for them. */
  reads?: HomeReads | undefined;
  health?: readonly HealthLine[] | undefined;
  labels: Labels;
}

const section = (text: string, blockId?: string): KnownBlock => ({
  type: 'section',
  ...(blockId ? { block_id: blockId } : {}),
  text: { type: 'mrkdwn', text: text.slice(0, 3000) },
});

const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text } });

/**
 * The person a request names, as this viewer may see it: a protected (or possibly protected)
 * person is named only to approvers, as the card shows their details only to approvers.
 */
function whom(request: RevocationRequest, approver: boolean): string {
  return request.plan?.protectedTarget && !approver ? 'a protected person' : personText(request);
}

function requesterText(request: RevocationRequest): string {
  const r = request.requester;
  return r.kind === 'slack' ? mention(r.id) : escapeInline(r.name ?? `${r.kind}:${r.id}`, 80);
}

function line(request: RevocationRequest, approver: boolean): string {
  const summary = request.summary ? ` — ${escapeInline(request.summary, 120)}` : '';
  return `• \`${request.id}\` ${slackDate(request.createdAt)} — ${whom(request, approver)} — ${STATUS_LINE[request.status]}${summary}`;
}

function pendingBlocks(reads: HomeReads): KnownBlock[] {
  if (reads.pending.length === 0) return [section('_No request is waiting for approval._', 'pending_none')];
  return reads.pending.flatMap((r) => [
    section(
      `\`${r.id}\` — sessions of ${personText(r)} — requested by ${requesterText(r)} ${slackDate(r.createdAt)}\n*Reason:* ${escapeInline(r.reason, 300)}${r.plan?.approvalReason ? `\n:lock: ${escapeInline(r.plan.approvalReason, 300)}` : ''}`,
      `pending:${r.id}`,
    ),
    approvalButtons(r, `home_approval:${r.id}`),
  ]);
}

function healthText(health: readonly HealthLine[] | undefined): string {
  if (!health) return '_Checking the systems…_';
  if (health.length === 0) return '_No systems are configured._';
  return health
    .map(
      (h) =>
        `${h.ok ? ':large_green_circle:' : ':red_circle:'} ${escapeInline(h.label, 60)} (${slackDate(h.at)})`,
    )
    .join('\n');
}

/** What a stranger sees: what the app is, and nothing about any request or person. */
function strangerBlocks(roles: HomeRoles): KnownBlock[] {
  const unknown = roles.requester === 'unknown' || roles.approver === 'unknown';
  return [
    header('revoke-sessions'),
    section(
      'This app ends a person’s login sessions in the company’s connected systems at once, for the security team.',
      'about',
    ),
    section(
      unknown
        ? 'Could not check your access just now. Open this tab again in a moment.'
        : 'You are not one of its requesters or approvers. Ask your security team (REVOKE_REQUESTERS, REVOKE_APPROVERS) if you need it.',
      'access',
    ),
  ];
}

/** The App Home of one person, from what they may see. */
export function homeView(content: HomeContent): HomeView {
  const { roles, reads } = content;
  const approver = roles.approver === 'member';
  const requester = roles.requester === 'member';
  if (!reads || (!approver && !requester)) return { type: 'home', blocks: strangerBlocks(roles) };
  const blocks: KnownBlock[] = [header('revoke-sessions')];
  if (requester)
    blocks.push({
      type: 'actions',
      block_id: 'home_actions',
      elements: [
        {
          type: 'button',
          action_id: HOME_OPEN_FORM_ACTION,
          style: 'danger',
          text: { type: 'plain_text', text: 'Revoke sessions…' },
        },
      ],
    });
  if (approver) blocks.push(header('Waiting for approval'), ...pendingBlocks(reads));
  if (reads.attention.length > 0) {
    const lines = reads.attention.map((a) => `${line(a.request, approver)} — *${a.why.join(', ')}*`);
    blocks.push(header('Needs attention'), section(lines.join('\n'), 'attention'));
  }
  if (requester) {
    const lines = reads.mine.map((r) => line(r, approver));
    blocks.push(
      header('Your recent requests'),
      section(lines.length > 0 ? lines.join('\n') : '_None yet._', 'mine'),
    );
  }
  blocks.push(header('Systems'), section(healthText(content.health), 'health'));
  return { type: 'home', blocks };
}
