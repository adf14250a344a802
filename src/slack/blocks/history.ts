import type { RevocationRequest, RevocationStep } from '../../engine/types.js';
import { escapeInline, mention } from '../../util/mrkdwn.js';
import { type Labels, personText } from './results.js';
import { stepSentence, systemSummaryText } from './step-replies.js';

function when(iso: string): string {
  return `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short} {time}|${iso}>`;
}

function requester(r: RevocationRequest): string {
  return r.requester.kind === 'slack'
    ? mention(r.requester.id)
    : escapeInline(r.requester.name ?? r.requester.id);
}

/** `/revoke-sessions history @user`: a person's recent revocations, newest first. */
export function historyText(userId: string, requests: RevocationRequest[]): string {
  if (requests.length === 0) return `No revocations recorded for ${mention(userId)}.`;
  const lines = requests.map(
    (r) =>
      `• ${when(r.createdAt)} \`${r.id}\` — *${r.status.replace('_', ' ')}*${r.summary ? ` (${escapeInline(r.summary)})` : ''} — by ${requester(r)} — ${escapeInline(r.reason, 120)}`,
  );
  return `Recent revocations for ${mention(userId)}:\n${lines.join('\n')}`;
}

/** `/revoke-sessions status <id>`: one request with every system's outcome (a bulk: each system's counts and who needs attention). */
export function statusText(request: RevocationRequest, steps: RevocationStep[], labels: Labels): string {
  const head = `\`${request.id}\` — sessions of ${personText(request)} — *${request.status.replace('_', ' ')}*`;
  const meta = `Requested by ${requester(request)} ${when(request.createdAt)}${request.decidedBy ? ` · decided by ${escapeInline(request.decidedBy)}` : ''}${request.breakGlass ? ' · :rotating_light: break-glass' : ''}`;
  const reason = `Reason: ${escapeInline(request.reason, 500)}`;
  const lines = request.additionalTargets?.length
    ? request.systems.map(
        (system) => `• ${systemSummaryText(request, system, steps, labels(system)).slice(0, 3000)}`,
      )
    : steps.map((s) => `• ${stepSentence(request, s, labels(s.system))}`);
  return [head, meta, reason, ...lines].join('\n');
}
