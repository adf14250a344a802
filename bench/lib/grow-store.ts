/**
 * A SQLite store with a long history, for the growth benchmark: finished requests (each with its
 * steps and its people), a 1,000-person bulk, and a hash-chained audit log, written straight into
 * the migrated schema with the store's own statements (fast: one transaction, prepared once).
 */
import Database from 'better-sqlite3';
import type { Sql } from 'sql-template-tag';
import { auditHash, GENESIS_HASH } from '../../src/engine/audit-chain.js';
import { stepKeys } from '../../src/engine/types.js';
import { peopleOf } from '../../src/store/people.js';
import { requestToRow } from '../../src/store/rows.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { insertAudit, insertRequest, insertSteps } from '../../src/store/statements.js';
import { newRequest } from '../../test/store/contract.js';

/** A request id the command parser accepts (`r-<6–12>-<8>`). */
export const grownId = (i: number): string => `r-${i.toString(36).padStart(8, '0')}-grownreq`;
export const BULK_ID = 'r-bulk00001000-grownreq';

export interface Grown {
  requests: number;
  audit: number;
  /** A finished one-person request of UALICE's (for `status`). */
  statusId: string;
}

/**
 * Grows the store in `file` (created and migrated first) to `requests` finished requests and
 * `audit` records. One request in 2,000 names UALICE; the others name one of 20,000 people.
 */
export async function growStore(
  file: string,
  o: { requests: number; audit: number; bulk: boolean },
): Promise<Grown> {
  const store = new SqliteStore(file);
  await store.migrate();
  await store.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const prepared = new Map<string, Database.Statement>();
  const run = (s: Sql) => {
    let p = prepared.get(s.sql);
    if (!p) {
      p = db.prepare(s.sql);
      prepared.set(s.sql, p);
    }
    p.run(...s.values);
  };
  const person = db.prepare(
    'INSERT INTO request_people (person, role, request_id, created_at) VALUES (?, ?, ?, ?)',
  );
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  const at = (i: number, total: number) =>
    new Date(start + Math.floor((i / total) * 300 * 86_400_000)).toISOString();
  const addRequest = (id: string, request: ReturnType<typeof newRequest>, when: string) => {
    run(insertRequest(requestToRow(id, request, 'done', when)));
    run(insertSteps(id, stepKeys(request)));
    for (const p of peopleOf(request)) person.run(p.person, p.role, id, when);
  };
  let statusId = '';
  db.transaction(() => {
    for (let i = 0; i < o.requests; i++) {
      const alice = i % 2_000 === 0;
      const slackUserId = alice ? 'UALICE' : `UG${String(i % 20_000).padStart(6, '0')}`;
      const email = alice ? 'alice@example.com' : `${slackUserId.toLowerCase()}@example.com`;
      addRequest(grownId(i), newRequest({ target: { slackUserId, email } }), at(i, o.requests));
      if (alice && statusId === '') statusId = grownId(i);
    }
    if (o.bulk) {
      const people = Array.from({ length: 1_000 }, (_, i) => ({
        slackUserId: `UK${String(i).padStart(6, '0')}`,
      }));
      const [first, ...rest] = people;
      const all7 = ['okta', 'entra', 'google', 'slack', 'box', 'mattermost', 'huawei'] as const;
      addRequest(
        BULK_ID,
        newRequest({ target: first ?? {}, additionalTargets: rest, systems: [...all7] }),
        at(o.requests, o.requests),
      );
    }
  })();
  let prevHash = GENESIS_HASH;
  const perRequest = Math.max(1, Math.floor(o.audit / Math.max(1, o.requests)));
  const actions = ['request_created', 'run_started', 'step_started', 'step_finished', 'run_finished'];
  const BATCH = 50_000;
  for (let from = 1; from <= o.audit; from += BATCH) {
    db.transaction(() => {
      for (let seq = from; seq < Math.min(from + BATCH, o.audit + 1); seq++) {
        const r = Math.floor((seq - 1) / perRequest) % Math.max(1, o.requests);
        const base = {
          seq,
          at: at(seq, o.audit),
          requestId: grownId(r),
          actor: seq % 7 === 0 ? 'slack:UREQ' : 'system',
          action: actions[seq % actions.length] ?? 'x',
          data: { system: 'slack', n: seq % 3, detail: 'grown for the growth benchmark' },
          prevHash,
        };
        prevHash = auditHash(base);
        run(insertAudit([{ ...base, hash: prevHash }]));
      }
    })();
  }
  db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1').run(o.audit, prevHash);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { requests: o.requests, audit: o.audit, statusId };
}
