import { systemLabel } from '../../providers/registry.js';
import type { CliContext } from '../context.js';
import { EXIT, exitForRun, exitForStatus } from '../exit-codes.js';
import { type Io, requestLines, safe } from '../output.js';
import { runRequest } from '../run-request.js';

/** Why a request in this status has nothing to resume. */
const NOTHING_TO_RESUME: Partial<Record<string, string>> = {
  pending_approval: 'it waits for an approver in Slack, and runs once approved',
  denied: 'it was denied',
  expired: 'its approval expired',
};

/**
 * `resume <request-id>`: finishes a request that was left part-way (Ctrl-C, a stopped process):
 * takes over its lease — at once when it was released, else once it lapses; while another runner
 * holds it, waits for that runner — and runs what is left with the same progress as `revoke`.
 * A finished step is never repeated; one interrupted mid-call is re-checked first. A request that
 * already finished is shown, with the exit code of its outcome.
 */
export async function resumeCommand(ctx: CliContext, io: Io, id: string, json: boolean): Promise<number> {
  const request = await ctx.engine.request(id);
  if (!request) {
    io.err(`No request ${safe(id)}.`);
    return EXIT.failed;
  }
  const show = async (r = request) => {
    const steps = await ctx.engine.steps(r.id);
    if (json) io.out(JSON.stringify({ ...r, workflow: undefined, steps }, null, 2));
    else for (const line of requestLines(r, steps, (s) => systemLabel(s as never))) io.out(line);
    return steps;
  };
  const why = NOTHING_TO_RESUME[request.status];
  if (why) {
    io.err(`Nothing to resume: request ${request.id} is ${request.status} — ${why}.`);
    return EXIT.failed;
  }
  if (request.status !== 'approved' && request.status !== 'running') {
    io.err(`Request ${request.id} already finished: ${request.status}.`);
    await show();
    return exitForStatus(request.status);
  }
  if (!json) io.err(`-- ${request.id}: resuming (${request.status})`);
  const result = await runRequest(ctx, io, request, json);
  if (result.interrupted) return EXIT.interrupted;
  if (!json) io.err(`   => ${result.request.status}: ${result.request.summary ?? ''}`);
  const steps = await show(result.request);
  return exitForRun(result.request, steps, 0);
}
