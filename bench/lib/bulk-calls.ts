/**
 * The calls the app made in a bulk run, counted at the fakes per route (Slack: per method), beside
 * the minimum a correct run needs ({@link minimumCalls}), so any excess is visible.
 */
import { ROUTES, type Systems, type VendorId } from '../systems.js';
import { type FloorSystem, LABEL, limitOf, type MinimumCall, windowsMs } from './bulk-floor.js';
import { MINUTE_MS, SLACK_LIMITS } from './bulk-limits.js';
import type { DetailTable } from './section.js';

/** Calls sent and answered (not refused by a limit), by `system:call`. */
export type CallCounts = Map<string, { sent: number; answered: number }>;

const ORDER: FloorSystem[] = ['okta', 'entra', 'google', 'slack', 'box', 'mattermost', 'huawei'];

/** What every fake has been sent and has answered so far (take one before a run, one after). */
export function countCalls(s: Systems): CallCounts {
  const counts: CallCounts = new Map();
  for (const system of Object.keys(ROUTES) as VendorId[]) {
    const fake = s.vendor(system);
    const answered = s.admittedByRoute(system);
    for (const route of ROUTES[system] ?? []) {
      counts.set(`${system}:${route}`, {
        sent: fake.requestsTo(route).length,
        answered: answered.get(route) ?? 0,
      });
    }
  }
  const answered = s.slackAdmittedByMethod();
  const sent = new Map<string, number>();
  for (const c of s.slack.calls) sent.set(c.method, (sent.get(c.method) ?? 0) + 1);
  for (const [method, n] of sent)
    counts.set(`slack:${method}`, { sent: n, answered: answered.get(method) ?? 0 });
  return counts;
}

/** One row per kind of call: what it is for, the minimum, answered, refused and the excess. */
interface CallRow {
  system: FloorSystem;
  call: string;
  what: string;
  minimum: number | undefined;
  answered: number;
  refused: number;
}

/** The calls made between two counts, beside the minimum. */
export function compareCalls(minimum: MinimumCall[], before: CallCounts, after: CallCounts): CallRow[] {
  const made = (key: string) => {
    const a = after.get(key) ?? { sent: 0, answered: 0 };
    const b = before.get(key) ?? { sent: 0, answered: 0 };
    return { answered: a.answered - b.answered, refused: a.sent - a.answered - (b.sent - b.answered) };
  };
  const rows: CallRow[] = minimum.map((m) => ({ ...m, ...made(`${m.system}:${m.call}`) }));
  const listed = new Set(minimum.map((m) => `${m.system}:${m.call}`));
  for (const key of after.keys()) {
    const [system, call] = key.split(':') as [FloorSystem, string];
    // Slack: only the rate-limited methods (views.* and the like have no tier budget here).
    if (listed.has(key) || (system === 'slack' && !(call in SLACK_LIMITS))) continue;
    const m = made(key);
    if (m.answered + m.refused === 0) continue;
    const chat = call.startsWith('chat.');
    rows.push({
      system,
      call,
      what: chat ? 'messages (not in the floor: its budget is not exhausted)' : 'not needed by a correct run',
      minimum: chat ? undefined : 0,
      ...m,
    });
  }
  return rows.sort((a, b) => ORDER.indexOf(a.system) - ORDER.indexOf(b.system));
}

const excess = (r: CallRow) =>
  r.minimum === undefined ? '—' : `${r.answered - r.minimum >= 0 ? '+' : ''}${r.answered - r.minimum}`;

/** The per-call table and a per-budget summary (the windows the minimum and the app's calls need). */
export function callTables(rows: CallRow[]): DetailTable[] {
  const budgets = new Map<
    string,
    { system: FloorSystem; call?: string; minimum: number; answered: number }
  >();
  for (const r of rows) {
    if (r.minimum === undefined) continue;
    const key = r.system === 'slack' ? `slack:${r.call}` : r.system;
    const b = budgets.get(key) ?? {
      system: r.system,
      call: r.system === 'slack' ? r.call : undefined,
      minimum: 0,
      answered: 0,
    };
    b.minimum += r.minimum;
    b.answered += r.answered;
    budgets.set(key, b);
  }
  const windows = (n: number, perMinute: number) => String(Math.max(0, Math.ceil(n / perMinute) - 1));
  return [
    {
      title:
        'Calls per kind: the minimum a correct run needs beside the calls the app made (answered; refused = 429)',
      headers: ['system', 'call', 'for', 'minimum', 'app (answered)', 'refused (429)', 'excess'],
      rows: rows.map((r) => [
        LABEL[r.system],
        r.call,
        r.what,
        r.minimum === undefined ? '—' : String(r.minimum),
        String(r.answered),
        String(r.refused),
        excess(r),
      ]),
    },
    {
      title: `Per budget: full windows (one minute = ${MINUTE_MS / 1000} s) the minimum and the app's calls need`,
      headers: [
        'budget',
        'limit / min',
        'minimum calls',
        'app calls',
        'windows at the minimum',
        'windows at the app’s calls',
      ],
      rows: [...budgets.values()].map((b) => {
        const perMinute = limitOf(b.system, b.call);
        return [
          b.call ? `${LABEL[b.system]} ${b.call}` : LABEL[b.system],
          String(perMinute),
          String(b.minimum),
          String(b.answered),
          `${windows(b.minimum, perMinute)} (${(windowsMs(b.minimum, perMinute) / 1000).toFixed(0)} s)`,
          `${windows(b.answered, perMinute)} (${(windowsMs(b.answered, perMinute) / 1000).toFixed(0)} s)`,
        ];
      }),
    },
  ];
}

/** Total excess over the minimum (calls the app made that a correct run does not need). */
export function totalExcess(rows: CallRow[]): { calls: number; where: string } {
  const over = rows.filter((r) => r.minimum !== undefined && r.answered > r.minimum);
  return {
    calls: over.reduce((n, r) => n + r.answered - (r.minimum ?? 0), 0),
    where: over.map((r) => `${LABEL[r.system]} ${r.call} ${excess(r)}`).join(', ') || 'none',
  };
}
