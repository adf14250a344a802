/** What a bulk run left in the app's SQLite file: steps per system and state, requests, the audit timeline. */
import Database from 'better-sqlite3';

export const SYSTEMS = ['okta', 'entra', 'google', 'slack', 'box', 'mattermost', 'huawei'] as const;

export interface RunRecord {
  steps: { system: string; state: string; n: number }[];
  requests: { id: string; status: string; summary: string }[];
  audit: { action: string; at: string; data: string }[];
}

/** Reads the run (open it only once the app has stopped). */
export function readRun(dbFile: string): RunRecord {
  const db = new Database(dbFile, { readonly: true });
  try {
    const steps = db
      .prepare('SELECT system, state, COUNT(*) AS n FROM steps GROUP BY 1, 2 ORDER BY 1, 2')
      .all() as RunRecord['steps'];
    const requests = db.prepare('SELECT id, status, summary FROM requests').all() as RunRecord['requests'];
    const audit = db
      .prepare(
        "SELECT action, at, data FROM audit_log WHERE action IN ('request_created', 'run_started', 'bulk_started', 'run_finished') ORDER BY seq",
      )
      .all() as RunRecord['audit'];
    return { steps, requests, audit };
  } finally {
    db.close();
  }
}

const ofSystem = (run: RunRecord, sys: string) => run.steps.filter((x) => x.system.split('#')[0] === sys);

/** `1000 revoked, 2 failed` for one system. */
export function stepStates(run: RunRecord, sys: string): string {
  const counts = new Map<string, number>();
  for (const x of ofSystem(run, sys)) counts.set(x.state, (counts.get(x.state) ?? 0) + x.n);
  return [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
}

/** Steps that reached a final, good state (revoked, or queued at an asynchronous vendor) in one system. */
export function finalSteps(run: RunRecord, sys: string): number {
  return ofSystem(run, sys)
    .filter((x) => ['revoked', 'queued'].includes(x.state))
    .reduce((a, x) => a + x.n, 0);
}

/** The audit timeline, seconds from `wall0` (the submission). */
export function timeline(run: RunRecord, wall0: number): string[][] {
  return run.audit.map((a) => {
    const data = JSON.parse(a.data) as { system?: string; people?: number; status?: string };
    const what =
      a.action === 'bulk_started'
        ? `bulk call starts: ${data.system} (${data.people} people found)`
        : a.action === 'run_finished'
          ? `run finished (${data.status})`
          : a.action.replace('_', ' ');
    return [`${((Date.parse(a.at) - wall0) / 1000).toFixed(1)} s`, what];
  });
}
