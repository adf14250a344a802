import { ChainVerifier } from '../../engine/audit-chain.js';
import type { AuditQuery, AuditRecord } from '../../engine/store-port/index.js';
import { streamAudit } from '../../store/audit-read.js';
import { emailPerson, slackPerson } from '../../store/people.js';
import { isSlackUserId } from '../../util/input-rules.js';
import type { CliContext } from '../context.js';
import { csvLine } from '../csv.js';
import { type Io, safe } from '../output.js';

/** What `audit` was asked for. */
export interface AuditOptions {
  user?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  action?: string | undefined;
  json: boolean;
  csv: boolean;
}

/** A bad option value: exit 2 with this sentence. */
class AuditUsageError extends Error {}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ACTION = /^[a-z][a-z0-9_]*$/;
const ACTOR_KEY = /^(?:slack|cli|api|workflow):\S+$/;

/** `--since` / `--until` as an ISO time; `--until` with a date alone means the end of that day (UTC). */
function time(option: 'since' | 'until', value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new AuditUsageError(
      `--${option} must be a date or time such as 2026-11-01 or 2026-11-01T10:00:00Z, not "${safe(value)}".`,
    );
  const endOfDay = option === 'until' && DATE_ONLY.test(value.trim()) ? 86_400_000 : 0;
  return new Date(t + endOfDay).toISOString();
}

/** `--action a,b`: audit action names (`request_created`, `step_finished`, …). */
function actions(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((a) => a.trim());
  const bad = names.filter((a) => !ACTION.test(a));
  if (names.length === 0 || bad.length > 0)
    throw new AuditUsageError(
      `--action takes a comma list of audit actions such as request_created,step_finished; not: ${safe(bad.join(', ')) || '(empty)'}`,
    );
  return names;
}

/**
 * `--user`: the person keys it names. A Slack user ID, an email, an actor as the log writes it
 * (`slack:U…`, `cli:<user>`, `api:…`, `workflow:…`), or else the OS user name of a CLI user.
 */
export function personKeys(value: string): string[] {
  const v = value.trim();
  if (v === '') throw new AuditUsageError('--user needs a Slack user ID, an email or a user name.');
  if (isSlackUserId(v)) return [slackPerson(v)];
  if (ACTOR_KEY.test(v)) return [v];
  if (v.includes('@')) return [emailPerson(v)];
  return [`cli:${v}`];
}

/** The query the options describe (throws {@link AuditUsageError} for a bad value). */
function auditQuery(o: AuditOptions): Omit<AuditQuery, 'limit'> {
  if (o.csv && o.json) throw new AuditUsageError('--csv and --json exclude each other.');
  return {
    since: time('since', o.since),
    until: time('until', o.until),
    actions: actions(o.action),
    people: o.user === undefined ? undefined : personKeys(o.user),
  };
}

const CSV_COLUMNS = ['seq', 'at', 'request_id', 'actor', 'action', 'data', 'prev_hash', 'hash'];

/** One record in each output format. */
const formats = {
  text: (r: AuditRecord) =>
    `${r.seq}\t${r.at}\t${safe(r.requestId ?? '-')}\t${safe(r.actor)}\t${r.action}\t${safe(JSON.stringify(r.data)).slice(0, 300)}`,
  // io.out ends the line with LF: with this CR, CRLF as RFC 4180 says.
  csv: (r: AuditRecord) =>
    `${csvLine([r.seq, r.at, safe(r.requestId ?? ''), safe(r.actor), safe(r.action), JSON.stringify(r.data), r.prevHash, r.hash])}\r`,
  json: (r: AuditRecord) => JSON.stringify(r),
};

/**
 * `audit [--user U] [--since D] [--until D] [--action A,B] [--csv | --json]`: the audit log,
 * oldest first, filtered, streamed page by page (memory stays one page whatever the log's size).
 * `--json` writes one JSON array, `--csv` RFC 4180 CSV with a header line.
 */
export async function auditCommand(ctx: CliContext, io: Io, o: AuditOptions): Promise<number> {
  let query: Omit<AuditQuery, 'limit'>;
  try {
    query = auditQuery(o);
  } catch (error) {
    if (!(error instanceof AuditUsageError)) throw error;
    io.err(error.message);
    return 2;
  }
  const format = o.csv ? 'csv' : o.json ? 'json' : 'text';
  if (format === 'csv') io.out(`${csvLine(CSV_COLUMNS)}\r`);
  if (format === 'json') io.out('[');
  let n = 0;
  for await (const r of streamAudit((q) => ctx.store.readAudit(q), query)) {
    io.out(`${format === 'json' && n > 0 ? ',' : ''}${formats[format](r)}`);
    if (++n % 1_000 === 0) await io.drain?.();
  }
  if (format === 'json') io.out(']');
  return 0;
}

/**
 * `audit verify [--anchor SEQ:HASH]`: recomputes the hash chain record by record as it streams
 * the log by sequence (memory stays one page); exit 1 when a record was changed or removed. The
 * chain alone cannot show that its newest records were cut off, so it prints the head
 * (`SEQ:HASH`) to be noted somewhere the database's owner cannot reach (the incident ticket, a
 * SIEM); a later run given that anchor reads that one record and checks it is still there, unchanged.
 */
export async function auditVerifyCommand(
  ctx: CliContext,
  io: Io,
  json: boolean,
  anchor?: string,
): Promise<number> {
  const wanted = anchor === undefined ? undefined : /^(\d+):([0-9a-f]{64})$/.exec(anchor.trim());
  if (anchor !== undefined && !wanted) {
    io.err('--anchor takes the SEQ:HASH that an earlier `audit verify` printed as the head.');
    return 2;
  }
  const verifier = new ChainVerifier();
  let last: AuditRecord | undefined;
  // Past a bad record the rest is only read, to find the head.
  for await (const r of streamAudit((q) => ctx.store.readAudit(q))) {
    verifier.add(r);
    last = r;
  }
  const result = verifier.result();
  const head = last ? `${last.seq}:${last.hash}` : undefined;
  let anchorProblem: string | undefined;
  if (wanted) {
    const seq = Number(wanted[1]);
    const [found] = await ctx.store.readAudit({ afterSeq: seq - 1, limit: 1 });
    if (found?.seq !== seq)
      anchorProblem = `anchored record ${seq} is gone (the log now ends at ${last?.seq ?? 0}): records were cut off`;
    else if (found.hash !== wanted[2])
      anchorProblem = `anchored record ${seq} has a different hash: the log was rewritten`;
  }
  const ok = result.ok && !anchorProblem;
  if (json)
    io.out(JSON.stringify({ ...result, ok, head: head ?? null, anchorProblem: anchorProblem ?? null }));
  else if (!result.ok)
    io.out(
      `TAMPERED: ${result.problem} (first bad record: ${result.brokenAt}; ${result.checked} records before it are intact).`,
    );
  else if (anchorProblem) io.out(`TAMPERED: ${anchorProblem}.`);
  else
    io.out(
      `OK: ${result.checked} audit records, hash chain intact${wanted ? `, anchor ${wanted[1]} present` : ''}.${head ? `\nHead (note it elsewhere; pass it as --anchor next time): ${head}` : ''}`,
    );
  return ok ? 0 : 1;
}
