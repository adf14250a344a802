import { describeStep, type Phrase, STATE_WORD } from '../engine/outcome.js';
import type { SystemPreview } from '../engine/plan.js';
import { FINAL_STEP_STATES, type RevocationRequest, type RevocationStep } from '../engine/types.js';

/** Where live progress is drawn: the terminal behind stderr. */
export interface ProgressSink {
  /** Whether it is a terminal (progress is then redrawn in place). */
  readonly tty: boolean;
  /** Its width in characters, when known. */
  readonly columns?: number | undefined;
  /** Writes text as is (control sequences included). */
  write(text: string): void;
}

/** Where the CLI writes; injectable for tests. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** The terminal for live progress; absent (or not a terminal): a line every few seconds. */
  progress?: ProgressSink | undefined;
  /** Resolves once what `out` wrote has left the process's buffer (long outputs wait for a slow reader). */
  drain?(): Promise<void>;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  progress: {
    get tty() {
      return process.stderr.isTTY === true;
    },
    get columns() {
      return process.stderr.columns;
    },
    write: (text) => process.stderr.write(text),
  },
  drain: () =>
    process.stdout.writableNeedDrain
      ? new Promise((resolve) => process.stdout.once('drain', () => resolve()))
      : Promise.resolve(),
};

/** Strips control characters so vendor-supplied text cannot drive the terminal. */
export function safe(text: string | undefined): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return (text ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

export function previewLines(previews: SystemPreview[]): string[] {
  const lines: string[] = [];
  for (const p of previews) {
    if (p.error) {
      lines.push(`${p.label}: ERROR ${safe(p.error)}`);
      continue;
    }
    const l = p.lookup;
    if (l?.status !== 'found') {
      lines.push(
        `${p.label}: ${l?.status === 'ambiguous' ? 'AMBIGUOUS (nothing will be revoked)' : l?.status === 'not_allowed' ? `REFUSED ${safe(l.detail)}` : 'no account'}`,
      );
      continue;
    }
    if (!p.capabilities.listSessions) {
      lines.push(
        `${p.label}: ${safe(l.account.login)} — cannot list sessions${p.capabilities.asyncRevoke ? ' (revocation is a queued job)' : ''}`,
      );
      continue;
    }
    const sessions = p.sessions ?? [];
    lines.push(`${p.label}: ${safe(l.account.login)} — ${sessions.length} session(s)`);
    for (const s of sessions) {
      lines.push(
        `  - ${safe(s.id)}  ${safe([s.device, s.os, s.ip && `IP ${s.ip}`, s.lastActiveAt && `last ${s.lastActiveAt}`].filter(Boolean).join(' · '))}`,
      );
    }
  }
  return lines;
}

/** One phrase of the engine's vocabulary as terminal text (control characters removed, bounded). */
function terminal(p: Phrase): string {
  const text = safe(p.max !== undefined && p.text.length > p.max ? `${p.text.slice(0, p.max - 1)}…` : p.text);
  if (p.style === 'warn') return `WARNING: ${text}`;
  if (p.style === 'hint') return `What to do: ${text}`;
  return text;
}

/** The engine's sentence for a step, as terminal text (`label` names the system in it). */
export function stepSentence(step: RevocationStep, label: string, request?: RevocationRequest): string {
  return describeStep(request ?? NO_REQUEST, step, label)
    .phrases.map(terminal)
    .join('');
}

/** A step's state in one word and the engine's sentence for it. */
function stepText(step: RevocationStep, label: string, request?: RevocationRequest): string {
  return `${STATE_WORD[step.state].padEnd(11)} ${stepSentence(step, label, request)}`;
}

/** A step as one line: the system, its state in one word, and the engine's sentence for it. */
export function stepLine(step: RevocationStep, label: string, request?: RevocationRequest): string {
  return `${label.padEnd(13)} ${stepText(step, label, request)}`;
}

/** Stands in for the request when only the step is at hand (the sentence then names no selection). */
const NO_REQUEST = { selection: undefined } as RevocationRequest;

/** Who a step is for: the person's email (or Slack user ID). */
export function personOf(request: RevocationRequest, index: number): string {
  const p = index === 0 ? request.target : request.additionalTargets?.[index - 1];
  return safe(p?.email ?? p?.slackUserId ?? '?');
}

/**
 * A request as lines: its facts, then its steps grouped by system — one line per system for one
 * person; for several, each system's count of finished steps, then one line per person.
 */
export function requestLines(
  request: RevocationRequest,
  steps: RevocationStep[],
  label: (s: string) => string,
): string[] {
  const people = 1 + (request.additionalTargets?.length ?? 0);
  const lines = [
    `${request.id}  ${request.status}${request.summary ? ` — ${request.summary}` : ''}`,
    `  target:    ${personOf(request, 0)}${people > 1 ? ` and ${people - 1} more` : ''}`,
    `  requester: ${safe(request.requester.name ?? request.requester.id)} (${request.requester.kind}) at ${request.createdAt}`,
    `  reason:    ${safe(request.reason)}`,
    ...(request.decidedBy
      ? [`  decided:   ${safe(request.decidedBy)}${request.breakGlass ? ' (BREAK-GLASS)' : ''}`]
      : []),
  ];
  if (people === 1) return [...lines, ...steps.map((s) => `  ${stepLine(s, label(s.system), request)}`)];
  const bySystem = new Map<string, RevocationStep[]>();
  for (const step of steps) bySystem.set(step.system, [...(bySystem.get(step.system) ?? []), step]);
  const width = Math.min(40, Math.max(...steps.map((s) => personOf(request, s.targetIndex).length)));
  for (const [system, mine] of bySystem) {
    const final = mine.filter((s) => FINAL_STEP_STATES.includes(s.state)).length;
    lines.push(`  ${label(system)}: ${final} of ${mine.length} finished`);
    for (const s of mine)
      lines.push(
        `    ${personOf(request, s.targetIndex).padEnd(width)}  ${stepText(s, label(system), request)}`,
      );
  }
  return lines;
}
