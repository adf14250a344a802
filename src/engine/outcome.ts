import { containTimes, formatSeconds } from './containment.js';
import type { RevocationRequest, RevocationStep, StepState } from './types.js';

/**
 * One piece of a step's sentence. Text is plain (never markup): each surface escapes and styles
 * it its own way — Slack as mrkdwn, the CLI as plain terminal text.
 */
export interface Phrase {
  text: string;
  /** `code`: an identifier; `note`: an aside; `warn` / `refuse`: flagged; `hint`: what to do. */
  style?: 'code' | 'note' | 'warn' | 'refuse' | 'hint' | undefined;
  /** Longest the text may be shown (it comes from a vendor or a person). */
  max?: number | undefined;
}

/** A finished (or running) step in words: the one vocabulary Slack and the CLI both render. */
export interface StepText {
  state: StepState;
  /** The state as one upper-case word (the CLI's column). */
  word: string;
  /** What happened, after the system's name. */
  phrases: Phrase[];
}

const t = (text: string, style?: Phrase['style'], max?: number): Phrase => ({ text, style, max });

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** What each state is called in one word. */
export const STATE_WORD: Record<StepState, string> = {
  pending: 'PENDING',
  running: 'RUNNING',
  revoked: 'REVOKED',
  queued: 'QUEUED',
  partial: 'PARTIAL',
  failed: 'FAILED',
  no_account: 'NO_ACCOUNT',
  ambiguous: 'AMBIGUOUS',
  not_allowed: 'REFUSED',
};

/**
 * The step's sentence: what was done, what was verified, what was refused, and — when the vendor
 * error says — what to do about it. Nothing here claims more than the step recorded.
 */
export function describeStep(request: RevocationRequest, step: RevocationStep, label: string): StepText {
  const r = step.result ?? {};
  const detail = r.detail ? [t(' ('), t(r.detail, undefined, 300), t(')')] : [];
  const verified: Phrase[] =
    r.remaining === undefined
      ? []
      : r.remaining === 0
        ? [
            t(
              r.listingShows
                ? ` Verified: no ${r.listingShows} listed afterwards.`
                : ' Verified: no sessions left.',
            ),
          ]
        : r.remainingInScope
          ? [t(' '), t(`${plural(r.remaining, 'session')} still listed afterwards.`, 'warn')]
          : [t(` ${plural(r.remaining, 'session')} outside the chosen scope remain.`)];
  const count = r.revokedCount !== undefined ? [t(` ${plural(r.revokedCount, 'session')} ended.`)] : [];
  const refused: Phrase[] = r.refusedSessions?.length
    ? [
        t(' '),
        t(
          `${plural(r.refusedSessions.length, 'chosen session')} not listed for this person, so not revoked: `,
          'refuse',
        ),
        ...r.refusedSessions
          .slice(0, 10)
          .flatMap((id, i) => [...(i > 0 ? [t(', ')] : []), t(id, 'code', 80)]),
        t('.'),
      ]
    : [];
  const hint = r.error?.hint ? [t(' '), t(r.error.hint, 'hint', 300)] : [];
  const after = confirmationPhrases(request, step, label);
  const word = STATE_WORD[step.state];
  const said = (...phrases: Phrase[]): StepText => ({ state: step.state, word, phrases });
  switch (step.state) {
    case 'revoked': {
      const what = request.selection?.[step.system] ? 'selected sessions revoked' : 'sessions revoked';
      return said(t(what), ...detail, t('.'), ...count, ...verified, ...refused, ...after);
    }
    case 'partial':
      if (r.refusedSessions?.length && !(r.remaining && r.remainingInScope))
        return said(
          t('the chosen sessions of this person were revoked'),
          ...detail,
          t('.'),
          ...count,
          ...verified,
          ...refused,
        );
      return said(
        t('revoke accepted, but sessions remain'),
        ...detail,
        t('.'),
        ...count,
        ...verified,
        ...refused,
        t(` Check it in ${label}'s admin console.`),
        ...hint,
        ...after,
      );
    case 'queued':
      if (r.confirmation === 'none')
        return said(t(`requested — ${label} gives no confirmation`), ...detail, t('.'), ...after);
      return said(
        t(`queued: ${label} ends the sessions in a background job, so this is not confirmed done`),
        ...detail,
        t('.'),
        ...after,
      );
    case 'no_account':
      return said(t('no account for this person; nothing to revoke.'));
    case 'ambiguous':
      return said(
        t('several accounts match this person; nothing was revoked there'),
        ...detail,
        t('. Revoke by hand after checking who is who.'),
      );
    case 'not_allowed':
      return said(t('not revoked'), ...detail, t('.'), ...refused);
    case 'failed': {
      const e = r.error;
      const refs = [
        e?.vendorCode && `code ${e.vendorCode}`,
        e?.requestId && `request id ${e.requestId}`,
      ].filter((x): x is string => Boolean(x));
      return said(
        t('failed: '),
        t(e?.message ?? 'unknown error', undefined, 600),
        ...(refs.length > 0 ? [t(' '), t(`(${refs.map((x) => x.slice(0, 120)).join(', ')})`, 'note')] : []),
        ...hint,
        ...after,
      );
    }
    default:
      return said(t(step.state));
  }
}

/**
 * What a step's confirmation says, after its sentence: the times from approval, the vendor's
 * audit log's word (or that it has not come), and how to turn confirmation on where it is off.
 */
function confirmationPhrases(request: RevocationRequest, step: RevocationStep, label: string): Phrase[] {
  const r = step.result ?? {};
  const [time] = containTimes(request, [step]);
  const phrases: Phrase[] = [];
  if (r.confirmedBy === 'slack_audit_log') phrases.push(t(` Confirmed by ${label}'s audit log.`));
  else if (r.confirmation === 'awaiting')
    phrases.push(t(` Awaiting confirmation from ${label}'s audit log.`));
  else if (r.confirmation === 'not_confirmed' || r.confirmation === 'failed')
    phrases.push(t(' '), t(`${r.confirmationNote ?? 'not confirmed'}.`, 'warn', 300));
  else if (r.confirmation === 'unavailable' && r.confirmationNote)
    phrases.push(t(' '), t(`${r.confirmationNote}.`, 'warn', 300));
  else if (r.confirmation === 'unavailable')
    phrases.push(
      t(' '),
      t(
        `${label}'s answer does not confirm that every session ended; to have its audit log confirm the reset, set SLACK_AUDIT_TOKEN (an org owner token with auditlogs:read).`,
        'hint',
      ),
    );
  const times = [
    time?.acceptedAfterS !== undefined ? `accepted +${formatSeconds(time.acceptedAfterS)}` : undefined,
    time?.confirmedAfterS !== undefined ? `confirmed +${formatSeconds(time.confirmedAfterS)}` : undefined,
  ].filter((x): x is string => x !== undefined);
  if (times.length > 0) phrases.push(t(' '), t(`(${times.join(', ')} after approval)`, 'note'));
  return phrases;
}
