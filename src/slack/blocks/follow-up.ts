import type { KnownBlock } from '@slack/types';
import { approvedAt, formatSeconds } from '../../engine/containment.js';
import { allTargets, type RevocationRequest, type RevocationStep } from '../../engine/types.js';
import { escapeInline } from '../../util/mrkdwn.js';
import type { Message } from './results.js';
import { onePerson } from './results.js';

/** Lines listed at most in one note (the audit log and the evidence have every one). */
const MAX_LINES = 30;

export const REVOKE_AGAIN_ACTION = 'revoke_again';

const seconds = (from: string | undefined, to: string | undefined) =>
  from && to ? Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000) : undefined;

function personOf(request: RevocationRequest, step: RevocationStep): string {
  const person = allTargets(request)[step.targetIndex];
  return person ? onePerson(person) : 'someone';
}

function bounded(lines: string[]): string {
  const shown = lines.slice(0, MAX_LINES);
  if (lines.length > MAX_LINES) shown.push(`• …and ${lines.length - MAX_LINES} more (in the audit log)`);
  return shown.join('\n').slice(0, 2_900);
}

/** What Slack's audit log said of a request's resets so far, one line per person. */
export function confirmNote(request: RevocationRequest, steps: RevocationStep[], label: string): Message {
  const from = approvedAt(request);
  const lines: string[] = [];
  for (const s of steps) {
    const r = s.result ?? {};
    if (r.confirmedBy === 'slack_audit_log') {
      const after = seconds(from, r.confirmedAt);
      lines.push(
        `:white_check_mark: ${personOf(request, s)} — confirmed by ${escapeInline(label)}'s audit log${after === undefined ? '' : ` at +${formatSeconds(after)}`}`,
      );
    } else if (r.confirmationNote && r.confirmation && r.confirmation !== 'awaiting')
      lines.push(
        `:warning: ${personOf(request, s)} — ${escapeInline(r.confirmationNote ?? 'not confirmed', 300)}`,
      );
  }
  return {
    text: `${label}: audit-log confirmation`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: bounded(lines) || 'Nothing confirmed yet.' } }],
  };
}

/**
 * The watch found sessions begun after the revocation ("new Mattermost session from 203.0.113.7,
 * 3 min after revocation"), with Revoke again: a new request for the same people and systems. The
 * button carries the request and the look; the listener reads everything else from the store.
 */
export function watchAlert(
  request: RevocationRequest,
  steps: RevocationStep[],
  round: number,
  label: (step: RevocationStep) => string,
): Message {
  const lines: string[] = [];
  for (const s of steps) {
    const look = s.result?.watch?.find((w) => w.round === round);
    for (const session of look?.found ?? []) {
      const since = s.result?.acceptedAt ?? s.finishedAt;
      const after = seconds(since, session.createdAt ?? look?.at);
      const from = session.ip ? ` from ${escapeInline(session.ip, 60)}` : '';
      const device = session.device ? ` (${escapeInline(session.device, 80)})` : '';
      lines.push(
        `:rotating_light: new ${escapeInline(label(s))} session${from}${device}, ${after === undefined ? 'after' : `${formatSeconds(after)} after`} revocation — ${personOf(request, s)}`,
      );
    }
  }
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: 'watch_found', text: { type: 'mrkdwn', text: bounded(lines) } },
    {
      type: 'actions',
      block_id: 'watch_actions',
      elements: [
        {
          type: 'button',
          action_id: REVOKE_AGAIN_ACTION,
          style: 'danger',
          text: { type: 'plain_text', text: 'Revoke again' },
          value: `${request.id}:${round}`,
          confirm: {
            title: { type: 'plain_text', text: 'Revoke again?' },
            text: {
              type: 'mrkdwn',
              text: 'A new request for the same people and systems; it needs approval where policy says so.',
            },
            confirm: { type: 'plain_text', text: 'Revoke again' },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        },
      ],
    },
  ];
  return { text: `New session after revocation (request ${request.id})`, blocks };
}
