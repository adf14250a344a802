/** The report on urgent requests: idle against during the bulk, with the 429s each waited out. */
import type { Systems } from '../systems.js';
import type { DetailTable, Row } from './section.js';
import { summarize } from './stats.js';
import { type UrgentSample, waited, waitsFor, waitsText } from './urgent.js';

const TARGET_RATIO = 1.2;

/** When the bulk reached each phase, ms after its submission. */
export interface BulkPhases {
  runMs: number;
  downstreamMs: number;
  endMs: number;
}

const seconds = (x: number) => `${(x / 1000).toFixed(1)} s`;

function phaseAt(ms: number, p: BulkPhases): string {
  if (ms < p.runMs) return 'recording (Slack lookups)';
  if (ms < p.downstreamMs) return 'identity providers';
  if (ms < p.endMs) return 'downstream systems';
  return 'after the bulk';
}

export function urgentReport(
  s: Systems,
  o: { idle: UrgentSample[]; busy: UrgentSample[]; wall0: number; phases: BulkPhases },
): { rows: Row[]; details: DetailTable[] } {
  const waits = new Map([...o.idle, ...o.busy].map((x) => [x, waitsFor(s, x)]));
  const waitedOut = (xs: UrgentSample[]) => {
    const w = xs.map((x) => waits.get(x)).filter((x) => x !== undefined);
    return `${w.filter(waited).length} of ${xs.length} (${w.filter((x) => x.refused.size > 0).length} with a call refused)`;
  };
  const idle = summarize(o.idle.map((x) => x.ms));
  const busy = summarize(o.busy.map((x) => x.ms));
  const p50Ratio = busy.p50 / idle.p50;
  const worstRatio = busy.max / idle.max;
  const worst = o.busy.reduce<UrgentSample | undefined>((a, x) => (!a || x.ms > a.ms ? x : a), undefined);
  const row = (label: string, x: UrgentSample, at: string, phase: string) => [
    label,
    x.slackId,
    at,
    phase,
    seconds(x.ms),
    (() => {
      const w = waits.get(x);
      return w ? waitsText(w) : 'none';
    })(),
  ];
  return {
    rows: [
      {
        metric: 'urgent request → finished while the bulk runs / idle, p50',
        measured: `×${p50Ratio.toFixed(2)} (${seconds(busy.p50)} vs ${seconds(idle.p50)})`,
        target: `≤ ×${TARGET_RATIO}`,
        pass: p50Ratio <= TARGET_RATIO,
      },
      {
        metric: 'urgent request → finished, worst while the bulk runs / worst idle',
        measured: `×${worstRatio.toFixed(2)} (${seconds(busy.max)}${worst ? `, sent at ${seconds(worst.sentAt - o.wall0)}` : ''} vs ${seconds(idle.max)})`,
      },
      {
        metric: 'urgent request → finished, p50 / max (idle; during the bulk)',
        measured: `idle ${seconds(idle.p50)} / ${seconds(idle.max)} (n ${idle.n}); during ${seconds(busy.p50)} / ${seconds(busy.max)} (n ${busy.n})`,
      },
      {
        metric: 'urgent requests that waited out a 429 (a call of theirs refused, or held by a Retry-After)',
        measured: `${waitedOut(o.busy)} during the bulk; ${waitedOut(o.idle)} idle`,
      },
    ],
    details: [
      {
        title: 'Urgent requests, one person each (sent at: seconds after the bulk’s submission)',
        headers: ['when', 'person', 'sent at', 'bulk phase', 'submission → finished', 'calls that met a 429'],
        rows: [
          ...o.idle.map((x) => row('idle', x, '—', '—')),
          ...o.busy.map((x) => {
            const at = x.sentAt - o.wall0;
            return row('during the bulk', x, seconds(at), phaseAt(at, o.phases));
          }),
        ],
      },
    ],
  };
}
