import { previewPerson } from '../../engine/plan.js';
import { type CliBase, configuredSystems, resolvePerson } from '../context.js';
import { type Io, previewLines } from '../output.js';

/** `sessions <email|slack-user-id>`: every configured system's sessions for a person (no store needed). */
export async function sessionsCommand(ctx: CliBase, io: Io, ref: string, json: boolean): Promise<number> {
  const person = await resolvePerson(ctx, ref);
  const previews = await previewPerson(ctx.providers, configuredSystems(ctx), person);
  if (json) io.out(JSON.stringify({ person, systems: previews }, null, 2));
  else for (const line of previewLines(previews)) io.out(line);
  return previews.some((p) => p.error) ? 1 : 0;
}
