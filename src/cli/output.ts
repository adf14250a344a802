import { describeStep, type Phrase, STATE_WORD } from '../engine/outcome.js';
import type { SystemPreview } from '../engine/plan.js';
import type { RevocationRequest, RevocationStep } from '../engine/types.js';

/** Where the CLI writes; injectable for tests. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Resolves once what `out` wrote has left the process's buffer (long outputs wait for a slow reader). */
  drain?(): Promise<void>;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
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

/** A step as one line: the system, its state in one word, and the engine's sentence for it. */
export function stepLine(step: RevocationStep, label: string, request?: RevocationRequest): string {
  const sentence = describeStep(request ?? NO_REQUEST, step, label)
    .phrases.map(terminal)
    .join('');
  return `${label.padEnd(13)} ${STATE_WORD[step.state].padEnd(11)} ${sentence}`;
}

/** Stands in for the request when only the step is at hand (the sentence then names no selection). */
const NO_REQUEST = { selection: undefined } as RevocationRequest;

export function requestLines(
  request: RevocationRequest,
  steps: RevocationStep[],
  label: (s: string) => string,
): string[] {
  return [
    `${request.id}  ${request.status}${request.summary ? ` — ${request.summary}` : ''}`,
    `  target:    ${safe(request.target.email ?? request.target.slackUserId ?? '?')}`,
    `  requester: ${safe(request.requester.name ?? request.requester.id)} (${request.requester.kind}) at ${request.createdAt}`,
    `  reason:    ${safe(request.reason)}`,
    ...(request.decidedBy
      ? [`  decided:   ${safe(request.decidedBy)}${request.breakGlass ? ' (BREAK-GLASS)' : ''}`]
      : []),
    ...steps.map((s) => `  ${stepLine(s, label(s.system), request)}`),
  ];
}
