/**
 * People, requests and checks shared by the bulk benchmarks: seeding people in every fake,
 * submitting a request through the request modal, finding its results parent, the sessions left.
 */
import { readFileSync } from 'node:fs';
import { SYSTEM_IDS } from '../../src/providers/registry.js';
import type { FakeMessage } from '../../test/fakes/slack.js';
import { formValues, submission } from '../../test/helpers/forms.js';
import { SECRETS } from '../../test/helpers/harness.js';
import { interactionBody } from '../../test/helpers/slack-signing.js';
import { FORM } from '../slack-payloads.js';
import type { Systems } from '../systems.js';
import { post } from './post.js';
import { slackHeaders } from './signing.js';

/** The channel every request is made from (its results parent goes there). */
export const CHANNEL = 'C0SEC';

/** `UB0000`, `UB0001`, …: Slack user IDs (their lower case is the person's name in every other system). */
export function slackIds(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
}

/** Each person in all seven systems, with a session in each system that lists them. */
export function seedPeople(s: Systems, ids: readonly string[]): void {
  for (const slackId of ids) {
    const name = slackId.toLowerCase();
    s.addPerson(name, slackId);
    s.mm.sessions.push({
      id: `mm-s-${name}`,
      user_id: `mm-${name}`,
      token: `mm-session-${name}`,
      create_at: 1,
      last_activity_at: 2,
    });
    s.hw.sessions.push({ session_id: `hw-s-${name}`, user_id: `hw-${name}`, creation_time: 1753858567 });
  }
}

/**
 * Submits the request modal for `targets` (the first in the picker, the rest in "Also revoke
 * for"), every system, all devices, no approval; resolves once the submission was acknowledged.
 */
export async function submitRequest(
  appUrl: string,
  o: { targets: readonly string[]; viewId: string; reason: string },
): Promise<void> {
  const [first, ...more] = o.targets;
  const values = formValues({ target: first, systems: [...SYSTEM_IDS], reason: o.reason });
  if (more.length > 0)
    values.more_targets = { more_targets_selected: { type: 'multi_users_select', selected_users: more } };
  // One person: the metadata names the person the preview was built for, as the app's own modal does.
  const meta = JSON.stringify(more.length > 0 ? { c: CHANNEL } : { c: CHANNEL, t: first });
  const body = interactionBody(submission(values, meta, 'UREQ', o.viewId));
  const status = await post(`${appUrl}/slack/events`, body, slackHeaders(SECRETS.signing, body, FORM));
  if (status !== 200) throw new Error(`the submission for ${first} got HTTP ${status}`);
}

/** The results parent that mentions `slackId` (a request's first person) once it shows "Finished". */
export function finishedParent(s: Systems, slackId: string): FakeMessage | undefined {
  const mention = `<@${slackId}>`;
  return s.slack.messages.find((m) => {
    if (m.thread_ts || m.channel !== CHANNEL) return false;
    const blocks = JSON.stringify(m.blocks ?? []);
    return blocks.includes(mention) && /Finished/.test(blocks);
  });
}

/** Peak and current resident memory of a process, in MiB (Linux /proc). */
export function memoryOf(pid: number): { peak: number; now: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
    return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

/** Per system, how many of these people still have a session (or were never signed out / revoked). */
export function sessionsLeft(s: Systems, ids: readonly string[]): Record<string, number> {
  const set = new Set(ids);
  const person = (id: string, cut: number) => id.slice(cut).toUpperCase();
  return {
    okta: s.okta.users.filter((u) => set.has(person(u.id, 3)) && u.sessions.length > 0).length,
    entra: ids.filter((id) => !s.entra.revoked.includes(`en-${id.toLowerCase()}`)).length,
    google: ids.filter((id) => !s.google.signedOut.includes(`g-${id.toLowerCase()}`)).length,
    slack: s.slack.sessions.filter((x) => set.has(x.user_id)).length,
    box: ids.filter((id) => !s.box.terminated.includes(`box-${id.toLowerCase()}`)).length,
    mattermost: s.mm.sessions.filter((x) => set.has(person(x.user_id, 3))).length,
    huawei: s.hw.sessions.filter((x) => set.has(person(x.user_id, 3))).length,
  };
}

/** Whether none of these people (outside every request) lost a session or was signed out. */
export function untouched(s: Systems, ids: readonly string[]): boolean {
  const left = sessionsLeft(s, ids);
  const n = ids.length;
  return (
    left.okta === n &&
    left.entra === n &&
    left.google === n &&
    left.slack === n &&
    left.box === n &&
    left.mattermost === n &&
    left.huawei === n
  );
}
