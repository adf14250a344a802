import type { RequestStatus, RevocationStep, StepState } from './types.js';

const ORDER: [StepState, string][] = [
  ['revoked', 'revoked'],
  ['queued', 'queued'],
  ['partial', 'partly revoked'],
  ['failed', 'failed'],
  ['ambiguous', 'ambiguous'],
  ['not_allowed', 'refused'],
  ['no_account', 'no account'],
  ['running', 'running'],
  ['pending', 'pending'],
];

/** "2 revoked, 1 queued, 1 failed" — counts by state, in a stable order. */
export function summarize(steps: RevocationStep[]): string {
  const parts: string[] = [];
  for (const [state, label] of ORDER) {
    const n = steps.filter((s) => s.state === state).length;
    if (n > 0) parts.push(`${n} ${label}`);
  }
  return parts.join(', ') || 'nothing to do';
}

/** Steps that need a human's attention afterwards. */
export const ATTENTION_STATES: readonly StepState[] = ['failed', 'partial', 'ambiguous', 'not_allowed'];

/**
 * The request's final status from its finished steps: `failed` only when nothing was ended or
 * queued anywhere (a `partial` step did end something, so it is never "failed everywhere").
 */
export function finalStatus(steps: RevocationStep[]): RequestStatus {
  const attention = steps.filter((s) => ATTENTION_STATES.includes(s.state)).length;
  if (attention === 0) return 'done';
  const succeeded = steps.filter(
    (s) => s.state === 'revoked' || s.state === 'queued' || s.state === 'partial',
  ).length;
  return succeeded === 0 && attention === steps.filter((s) => s.state !== 'no_account').length
    ? 'failed'
    : 'partially_failed';
}
