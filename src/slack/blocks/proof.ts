import type { KnownBlock } from '@slack/types';
import { containSummary } from '../../engine/containment.js';
import type { RevocationRequest, RevocationStep } from '../../engine/types.js';
import { escapeInline } from '../../util/mrkdwn.js';
import type { Labels } from './labels.js';

/** Statuses after which a run's times mean something. */
const RAN = ['done', 'partially_failed', 'failed'];

/** Slack's date formatting (each reader's time zone). */
const slackDate = (iso: string) =>
  `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} {time}|${iso}>`;

/** The time to contain of a finished run, as one context line ("contained in 41 s; …"). */
export function containBlock(
  request: RevocationRequest,
  steps: RevocationStep[],
  labels: Labels,
): KnownBlock | undefined {
  if (!RAN.includes(request.status)) return undefined;
  const text = containSummary(request, steps, labels);
  if (!text) return undefined;
  return {
    type: 'context',
    block_id: 'contain',
    elements: [{ type: 'mrkdwn', text: `:stopwatch: ${escapeInline(text, 2_900)} (from approval)` }],
  };
}

/**
 * The warning that the same person was revoked in the last 24 h: some SIEM rules raise a critical
 * alert on a second reset within a day, so the card says this one is deliberate.
 */
export function repeatText(repeatOf: { requestId: string; at: string }): string {
  return `:repeat: *Revoked again within 24 h:* the same person was revoked by request \`${escapeInline(repeatOf.requestId, 80)}\` ${slackDate(repeatOf.at)}. This second reset is deliberate — a SIEM rule on repeated resets may alert on it.`;
}

export function repeatBlock(request: RevocationRequest): KnownBlock | undefined {
  const repeatOf = request.plan?.repeatOf;
  if (!repeatOf) return undefined;
  return { type: 'section', block_id: 'repeat', text: { type: 'mrkdwn', text: repeatText(repeatOf) } };
}

export const DOWNLOAD_EVIDENCE_ACTION = 'download_evidence';

/** Download evidence, on a finished parent: the signed JSON is uploaded to the thread. */
export function evidenceBlock(request: RevocationRequest): KnownBlock | undefined {
  if (!RAN.includes(request.status)) return undefined;
  return {
    type: 'actions',
    block_id: 'evidence',
    elements: [
      {
        type: 'button',
        action_id: DOWNLOAD_EVIDENCE_ACTION,
        text: { type: 'plain_text', text: 'Download evidence' },
        value: request.id,
      },
    ],
  };
}
