/** Ack windows sent by the load-generator process (bench/ack-load-client.ts), and their report. */
import type { AckKind, AckRun, AckSample } from '../ack-load-client.js';
import type { Child } from './children.js';
import { statusSummary } from './load.js';
import type { DetailTable, Row } from './section.js';
import { ms, summarize } from './stats.js';

/** An ack window during the bulk: when it ran (ms after the bulk's submission) and its samples. */
export interface AckWindow {
  fromMs: number;
  toMs: number;
  samples: AckSample[];
}

const P99_TARGET_MS = 50;
const KINDS: { kind: AckKind; name: string }[] = [
  { kind: 'help', name: '`/revoke-sessions help`' },
  { kind: 'modal', name: '`/revoke-sessions <@USOMEONE>` (opens the modal)' },
];

/** Asks the load generator for one open-loop window and waits for its samples. */
export function sendAcks(loader: Child, run: Omit<AckRun, 'type'>): Promise<AckSample[]> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type?: string; samples?: AckSample[]; message?: string }) => {
      if (m?.type !== 'result' && m?.type !== 'error') return;
      loader.proc.off('message', onMessage);
      if (m.type === 'error') reject(new Error(`ack load generator: ${m.message}`));
      else resolve(m.samples ?? []);
    };
    loader.proc.on('message', onMessage);
    loader.proc.send?.({ type: 'run', ...run } satisfies AckRun);
  });
}

function statuses(samples: AckSample[]): { text: string; ok: boolean } {
  const by = new Map<number, number>();
  let errors = 0;
  for (const x of samples) {
    if (x.status === 0) errors += 1;
    else by.set(x.status, (by.get(x.status) ?? 0) + 1);
  }
  return { text: statusSummary(by, errors), ok: errors === 0 && [...by.keys()].every((k) => k === 200) };
}

/** Per command kind: p50/p99 during the bulk against the idle app, the ratio, and the p99 target. */
export function ackReport(idle: AckSample[], bulk: AckWindow): { rows: Row[]; details: DetailTable[] } {
  const rows: Row[] = [];
  const table: string[][] = [];
  for (const { kind, name } of KINDS) {
    const pick = (xs: AckSample[]) => xs.filter((x) => x.kind === kind);
    const i = summarize(
      pick(idle)
        .map((x) => x.ms)
        .filter(Number.isFinite),
    );
    const b = summarize(
      pick(bulk.samples)
        .map((x) => x.ms)
        .filter(Number.isFinite),
    );
    const st = statuses(pick(bulk.samples));
    rows.push({
      metric: `${name}: ack p99 while the bulk runs`,
      measured: `${ms(b.p99)} (p50 ${ms(b.p50)}; idle p50 ${ms(i.p50)} / p99 ${ms(i.p99)}; ratio p50 ×${(b.p50 / i.p50).toFixed(2)}, p99 ×${(b.p99 / i.p99).toFixed(2)}; ${st.text})`,
      target: `< ${P99_TARGET_MS} ms`,
      pass: st.ok && statuses(pick(idle)).ok && b.p99 < P99_TARGET_MS,
    });
    for (const [when, st2, xs] of [
      ['idle', statuses(pick(idle)), i],
      ['during the bulk', st, b],
    ] as const) {
      table.push([
        name,
        when,
        String(xs.n),
        ...[xs.p50, xs.p90, xs.p99, xs.max].map((v) => v.toFixed(2)),
        st2.text,
      ]);
    }
  }
  return {
    rows,
    details: [
      {
        title: 'Acks, ms from writing the request to the end of its response (open loop)',
        headers: ['command', 'app', 'n', 'p50', 'p90', 'p99', 'max', 'HTTP statuses'],
        rows: table,
      },
    ],
  };
}
