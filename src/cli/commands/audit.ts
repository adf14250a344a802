import type { CliContext } from '../context.js';
import { type Io, requestLines, safe } from '../output.js';

/** `status <request-id>`. */
export async function statusCommand(ctx: CliContext, io: Io, id: string, json: boolean): Promise<number> {
  const request = await ctx.store.getRequest(id);
  if (!request) {
    io.err(`No request ${safe(id)}.`);
    return 1;
  }
  const steps = await ctx.store.listSteps(id);
  // What the world was told: every outbox effect of the request, and whether it was delivered.
  const effects = (await ctx.store.listEffects(id)).map((e) => ({
    kind: e.kind,
    state: e.state,
    attempts: e.attempts,
    ...(e.lastError ? { lastError: e.lastError } : {}),
  }));
  if (json) {
    const { workflow: _hidden, ...visible } = request;
    io.out(JSON.stringify({ ...visible, steps, effects }, null, 2));
  } else {
    for (const line of requestLines(request, steps, (s) => ctx.providers.get(s as never)?.label ?? s))
      io.out(line);
    for (const e of effects) {
      const word = e.state === 'done' ? 'DELIVERED' : e.state === 'failed' ? 'FAILED' : 'WAITING';
      io.out(
        `  effect ${e.kind}: ${word} after ${e.attempts} attempt(s)${e.lastError ? ` (${safe(e.lastError)})` : ''}`,
      );
    }
  }
  return 0;
}
