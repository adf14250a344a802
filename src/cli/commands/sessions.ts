import { previewPerson } from '../../engine/plan.js';
import { type CliBase, configuredSystems } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { type Io, previewLines, safe } from '../output.js';
import { lookUpPeople, reachSlack, sayWithoutSlack, slackNotDone } from '../slack-reach.js';

/**
 * `sessions <email|slack-user-id>`: every configured system's sessions for a person (no store
 * needed). Without Slack (`--no-slack`, or Slack unreachable) the person is looked up by email in
 * each system, and Slack is reported as not asked. Exit 0 when every system answered, 3 when some
 * did, 1 when none did.
 */
export async function sessionsCommand(
  base0: CliBase,
  io: Io,
  ref: string,
  o: { json: boolean; noSlack: boolean },
): Promise<number> {
  const { base, people } = await lookUpPeople(await reachSlack(base0, o.noSlack), [ref]);
  const [person] = people;
  if (!person) return EXIT.failed;
  const previews = await previewPerson(base.providers, configuredSystems(base), person);
  const slack = slackNotDone(base, undefined);
  const notDone = slack === undefined ? [] : [{ system: 'slack' as const, why: slack }];
  if (base.slackLeftOut !== undefined && (o.json || slack === undefined))
    sayWithoutSlack(io, o.json, base.slackLeftOut, slack !== undefined);
  if (o.json) io.out(JSON.stringify({ person, systems: previews, notDone }, null, 2));
  else {
    for (const line of previewLines(previews)) io.out(line);
    for (const n of notDone) io.out(`Slack: NOT ASKED — ${safe(n.why)}`);
  }
  const failed = previews.filter((p) => p.error).length + notDone.length;
  if (failed === 0) return EXIT.ok;
  return failed < previews.length + notDone.length ? EXIT.partly : EXIT.failed;
}
