import type { SystemId } from '../../catalog.js';
import { describeStep, type Phrase } from '../../engine/outcome.js';
import { ATTENTION_STATES, summarize } from '../../engine/summary.js';
import {
  allTargets,
  type RevocationRequest,
  type RevocationStep,
  type StepState,
} from '../../engine/types.js';
import { escapeInline, escapeMrkdwn } from '../../util/mrkdwn.js';
import { type Message, onePerson } from './results.js';

/** The icon in front of a step's sentence. */
const SENTENCE_ICON: Record<StepState, string> = {
  pending: ':hourglass_flowing_sand:',
  running: ':hourglass_flowing_sand:',
  revoked: ':white_check_mark:',
  queued: ':hourglass_flowing_sand:',
  partial: ':warning:',
  failed: ':x:',
  no_account: ':heavy_minus_sign:',
  ambiguous: ':warning:',
  not_allowed: ':no_entry:',
};

/** One phrase of the engine's vocabulary as mrkdwn: vendor and user text escaped and bounded. */
function mrkdwn(p: Phrase): string {
  const text = p.max === undefined ? escapeMrkdwn(p.text) : escapeInline(p.text, p.max);
  switch (p.style) {
    case 'code':
      return `\`${text}\``;
    case 'note':
      return `_${text}_`;
    case 'warn':
      return `:warning: ${text}`;
    case 'refuse':
      return `:no_entry: ${text}`;
    case 'hint':
      return `:bulb: _${text}_`;
    default:
      return text;
  }
}

/** One sentence describing a finished step (the engine's {@link describeStep}), escaped. */
export function stepSentence(request: RevocationRequest, step: RevocationStep, label: string): string {
  const { phrases } = describeStep(request, step, label);
  return `${SENTENCE_ICON[step.state]} *${escapeInline(label)}* — ${phrases.map(mrkdwn).join('')}`;
}

/** The threaded reply for one system. */
export function stepReply(request: RevocationRequest, step: RevocationStep, label: string): Message {
  const sentence = stepSentence(request, step, label);
  return {
    text: `${label}: ${step.state}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: sentence.slice(0, 3000) } }],
  };
}

/** A bulk request's line for one system: its counts, then up to 20 people needing attention. */
export function systemSummaryText(
  request: RevocationRequest,
  system: SystemId,
  steps: RevocationStep[],
  label: string,
): string {
  const mine = steps.filter((s) => s.system === system);
  const counts = summarize(mine);
  const attention = mine.filter((s) => ATTENTION_STATES.includes(s.state) || s.state === 'queued');
  const people = allTargets(request);
  const lines = attention
    .slice(0, 20)
    .map(
      (s) => `• ${onePerson(people[s.targetIndex] ?? request.target)}: ${stepSentence(request, s, label)}`,
    );
  if (attention.length > 20) lines.push(`• …and ${attention.length - 20} more`);
  return `*${escapeInline(label)}* — ${escapeInline(counts)} for ${people.length} people${lines.length ? `\n${lines.join('\n')}` : ''}`;
}

/** For a bulk request: one threaded reply per system once all its people are done. */
export function systemSummaryReply(
  request: RevocationRequest,
  system: SystemId,
  steps: RevocationStep[],
  label: string,
): Message {
  const text = systemSummaryText(request, system, steps, label);
  return {
    text: `${label}: ${summarize(steps.filter((s) => s.system === system))}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }],
  };
}
