import { verifyChain } from '../../store/audit-chain.js';
import type { CliContext } from '../context.js';
import { type Io, safe } from '../output.js';

/** `audit [--user U] [--since D] [--json]`: the audit log, oldest first, optionally filtered. */
export async function auditCommand(
  ctx: CliContext,
  io: Io,
  o: { user?: string; since?: string; json: boolean },
): Promise<number> {
  let since: string | undefined;
  if (o.since) {
    const t = Date.parse(o.since);
    if (Number.isNaN(t)) {
      io.err(`--since must be a date or time such as 2026-11-01 or 2026-11-01T10:00:00Z, not "${o.since}".`);
      return 2;
    }
    since = new Date(t).toISOString();
  }
  const user = o.user?.toLowerCase();
  const records = (await ctx.store.listAudit()).filter((r) => {
    if (since && r.at < since) return false;
    if (!user) return true;
    return r.actor.toLowerCase().includes(user) || JSON.stringify(r.data).toLowerCase().includes(user);
  });
  if (o.json) io.out(JSON.stringify(records, null, 2));
  else
    for (const r of records)
      io.out(
        `${r.seq}\t${r.at}\t${safe(r.requestId ?? '-')}\t${safe(r.actor)}\t${r.action}\t${safe(JSON.stringify(r.data)).slice(0, 300)}`,
      );
  return 0;
}

/**
 * `audit verify [--anchor SEQ:HASH]`: recomputes the hash chain; exit 1 when a record was
 * changed or removed. The chain alone cannot show that its newest records were cut off, so it
 * prints the head (`SEQ:HASH`) to be noted somewhere the database's owner cannot reach (the
 * incident ticket, a SIEM); a later run given that anchor checks the record is still there, unchanged.
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
  const records = await ctx.store.listAudit();
  const result = verifyChain(records);
  const last = records[records.length - 1];
  const head = last ? `${last.seq}:${last.hash}` : undefined;
  let anchorProblem: string | undefined;
  if (wanted) {
    const seq = Number(wanted[1]);
    const found = records.find((r) => r.seq === seq);
    if (!found)
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
