import type { SystemId } from '../catalog.js';
import type { ConfirmedBy, RevocationRequest, RevocationStep } from './types.js';

/** The stages of containment a step records: the vendor accepted the call; it was confirmed. */
export type ContainStage = 'accepted' | 'confirmed';

/** One stage of one step, in seconds after approval (the metric's observation). */
export interface ContainEvent {
  system: SystemId;
  stage: ContainStage;
  seconds: number;
}

/** One step's time to contain, in seconds after approval. */
export interface ContainTime {
  key: string;
  system: SystemId;
  targetIndex: number;
  acceptedAt?: string | undefined;
  acceptedAfterS?: number | undefined;
  confirmedAt?: string | undefined;
  confirmedAfterS?: number | undefined;
  confirmedBy?: ConfirmedBy | undefined;
}

/**
 * When the clock of containment starts: the approval (a decision), or the recording of a request
 * that needed none (it was approved as it was recorded).
 */
export function approvedAt(request: Pick<RevocationRequest, 'decidedAt' | 'createdAt' | 'status'>): string {
  const decided = request.status !== 'denied' && request.status !== 'expired' ? request.decidedAt : undefined;
  return decided ?? request.createdAt;
}

const after = (from: string, at: string | undefined): number | undefined =>
  at === undefined ? undefined : Math.max(0, (Date.parse(at) - Date.parse(from)) / 1000);

/** Every step's accepted and confirmed times, measured from approval. */
export function containTimes(request: RevocationRequest, steps: readonly RevocationStep[]): ContainTime[] {
  const from = approvedAt(request);
  return steps.map((s) => ({
    key: s.key,
    system: s.system,
    targetIndex: s.targetIndex,
    acceptedAt: s.result?.acceptedAt,
    acceptedAfterS: after(from, s.result?.acceptedAt),
    confirmedAt: s.result?.confirmedAt,
    confirmedAfterS: after(from, s.result?.confirmedAt),
    confirmedBy: s.result?.confirmedBy,
  }));
}

/** The metric's observations for one step as it stands (the stages it has reached). */
export function containEvents(request: RevocationRequest, step: RevocationStep): ContainEvent[] {
  const [t] = containTimes(request, [step]);
  const events: ContainEvent[] = [];
  if (t?.acceptedAfterS !== undefined)
    events.push({ system: step.system, stage: 'accepted', seconds: t.acceptedAfterS });
  if (t?.confirmedAfterS !== undefined)
    events.push({ system: step.system, stage: 'confirmed', seconds: t.confirmedAfterS });
  return events;
}

/** `41 s`, `2 min`, `1 h 5 min`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

const max = (values: (number | undefined)[]): number | undefined => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length > 0 ? Math.max(...defined) : undefined;
};

/**
 * The time to contain in one plain sentence (each surface escapes it): "contained in 41 s; Slack
 * confirmed at +2 min; Box: requested, no confirmation". Contained means every system accepted
 * the revocation; with a step that failed or left sessions, only how long the others took.
 * Undefined when no vendor accepted anything.
 */
export function containSummary(
  request: RevocationRequest,
  steps: readonly RevocationStep[],
  label: (system: SystemId) => string,
): string | undefined {
  const times = containTimes(request, steps);
  const accepted = max(times.map((t) => t.acceptedAfterS));
  if (accepted === undefined) return undefined;
  const trouble = steps.filter((s) => s.state === 'failed' || s.state === 'partial').length;
  const parts = [
    trouble === 0
      ? `contained in ${formatSeconds(accepted)}`
      : `accepted in ${formatSeconds(accepted)} where it could be (${trouble} step(s) failed or left sessions)`,
  ];
  for (const system of request.systems) {
    const mine = steps.filter((s) => s.system === system && s.result?.acceptedAt);
    if (mine.length === 0) continue;
    const confirmed = mine.filter((s) => s.result?.confirmedAt);
    const name = label(system);
    if (confirmed.length === mine.length) {
      const at = max(times.filter((t) => t.system === system).map((t) => t.confirmedAfterS));
      if (at !== undefined) parts.push(`${name} confirmed at +${formatSeconds(at)}`);
    } else if (mine.some((s) => s.result?.confirmation === 'none')) {
      parts.push(`${name}: requested, no confirmation`);
    } else if (mine.some((s) => s.result?.confirmation === 'awaiting')) {
      parts.push(`${name}: awaiting confirmation`);
    } else if (mine.some((s) => s.result?.confirmation === 'not_confirmed')) {
      parts.push(`${name}: not confirmed`);
    } else if (confirmed.length === 0) {
      parts.push(`${name}: accepted, nothing to confirm it with`);
    } else {
      parts.push(`${name}: ${confirmed.length} of ${mine.length} confirmed`);
    }
  }
  return parts.join('; ');
}
