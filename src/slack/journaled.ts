import type { JournalEntry } from '../engine/engine.js';
import { laneOf } from '../engine/lane.js';
import { type SlackDeps, startRun } from './context.js';

/**
 * Queues the recording of a journaled submission (a form or a workflow step, acknowledged just
 * after it was journaled, or taken over by the housekeeping round). Never refused by the queue (a
 * revocation is never dropped); it waits ahead of any preview. A bulk's recording looks everyone up
 * within its vendor budgets, minutes at Slack's tiers: it takes a bulk run slot (its lane is the one
 * its lookups are in), so it never holds up the forms, and never the run slots kept for one-person
 * requests.
 */
export function queueRecording(deps: SlackDeps, entry: JournalEntry): void {
  const lane = laneOf({ source: entry.ask.source, people: entry.ask.people.length });
  deps.background.enqueue({
    kind: 'request.submit',
    lane: lane === 'bulk' ? 'bulk' : 'interactive',
    task: () => recordAndRun(deps, entry),
  });
}

/**
 * The housekeeping round's part: every acknowledged submission that no process recorded (it died,
 * or recording failed) is recorded now, with its own idempotency key.
 */
export async function recordUnrecordedForms(deps: SlackDeps): Promise<number> {
  const entries = await deps.engine.dueJournaled();
  for (const entry of entries) queueRecording(deps, entry);
  return entries.length;
}

/**
 * Records a journaled submission. What follows (the requester told it was recorded only after a
 * restart, who was left out, why it was refused; a workflow step failed; an approval card) is
 * written with the record or the refusal, and delivered by the outbox. What is left here is to
 * start the run of a request that needs no approval.
 */
async function recordAndRun(deps: SlackDeps, entry: JournalEntry): Promise<void> {
  const asked = await deps.engine.recordJournaled(entry);
  // Undefined: another process took it over; refused, or the same submission twice: nothing to run.
  if (!asked?.ok || !asked.created || asked.next === 'approve') return;
  startRun(deps, asked.request);
}
