import { verifyChain } from '../../store/audit-chain.js';
import type { CliContext } from '../context.js';
import { type Io, requestLines, safe } from '../output.js';

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

/** `audit verify`: recomputes the hash chain; exit 1 when a record was changed or removed. */
export async function auditVerifyCommand(ctx: CliContext, io: Io, json: boolean): Promise<number> {
  const result = verifyChain(await ctx.store.listAudit());
  if (json) io.out(JSON.stringify(result));
  else if (result.ok) io.out(`OK: ${result.checked} audit records, hash chain intact.`);
  else
    io.out(
      `TAMPERED: ${result.problem} (first bad record: ${result.brokenAt}; ${result.checked} records before it are intact).`,
    );
  return result.ok ? 0 : 1;
}

/** `status <request-id>`. */
export async function statusCommand(ctx: CliContext, io: Io, id: string, json: boolean): Promise<number> {
  const request = await ctx.store.getRequest(id);
  if (!request) {
    io.err(`No request ${safe(id)}.`);
    return 1;
  }
  const steps = await ctx.store.listSteps(id);
  if (json) {
    const { workflow: _hidden, ...visible } = request;
    io.out(JSON.stringify({ ...visible, steps }, null, 2));
  } else
    for (const line of requestLines(request, steps, (s) => ctx.providers.get(s as never)?.label ?? s))
      io.out(line);
  return 0;
}
