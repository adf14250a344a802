/**
 * One urgent request: a single person, submitted through the request modal with no approval,
 * timed from sending the submission to its results parent showing "Finished"; and the calls made
 * for it that a rate limit refused (429), found at the fakes.
 */
import { ROUTES, type Systems, type VendorId } from '../systems.js';
import { finishedParent, submitRequest } from './bulk-setup.js';
import { until } from './wait.js';

export interface UrgentSample {
  slackId: string;
  /** Wall clock (ms) when the submission was sent, and when "Finished" was seen. */
  sentAt: number;
  doneAt: number;
  /** Submission → finished (ms). */
  ms: number;
}

const VENDOR_LABEL: Record<VendorId, string> = {
  okta: 'Okta',
  entra: 'Entra ID',
  google: 'Google',
  box: 'Box',
  mattermost: 'Mattermost',
  huawei: 'Huawei',
};

/** Submits one person's request and waits for its results parent to show "Finished". */
export async function urgentRequest(
  s: Systems,
  appUrl: string,
  slackId: string,
  timeoutMs: number,
): Promise<UrgentSample> {
  const sentAt = Date.now();
  const t0 = performance.now();
  await submitRequest(appUrl, { targets: [slackId], viewId: `V${slackId}`, reason: `urgent: ${slackId}` });
  const done = await until(() => finishedParent(s, slackId) !== undefined, timeoutMs, 10);
  const ms = performance.now() - t0;
  if (!done) throw new Error(`the request for ${slackId} did not finish within ${timeoutMs / 1000} s`);
  const doneAt = Date.now();
  return { slackId, sentAt, doneAt, ms };
}

/** A call sent this soon after a Retry-After on its budget ended had been held by it. */
const HOLD_GRACE_MS = 500;

/** How a request met the rate limits, per budget (`Slack users.info`, `Okta`…). */
export interface Waits {
  /** Its calls a limit refused (429). */
  refused: Map<string, number>;
  /** Its calls sent during, or as it ended, a Retry-After announced on their budget (held by it). */
  held: Map<string, number>;
}

type Refusal = { at: number; retryAfterMs: number };
const heldBy = (refusals: readonly Refusal[], at: number) =>
  refusals.some((r) => r.at < at && at <= r.at + r.retryAfterMs + HOLD_GRACE_MS);

/**
 * The calls made for one request while it ran, and which of them met a 429: every vendor call
 * naming the person (their email or ID in the path, query or body), every Slack call naming them
 * or their results message (`ts` / `thread_ts`), and the pages of Huawei's user list while it ran
 * (they name no one; the bulk walks that list only once). A call meets a 429 when it is refused,
 * or when it leaves while — or just as — a Retry-After on its budget (a Slack method; a vendor
 * account) runs out: a client that holds every call on a budget after a 429 sends it then.
 */
export function waitsFor(s: Systems, sample: UrgentSample): Waits {
  const { slackId, sentAt: from, doneAt: to } = sample;
  const name = slackId.toLowerCase();
  const parentTs = finishedParent(s, slackId)?.ts;
  const waits: Waits = { refused: new Map(), held: new Map() };
  const add = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
  const meet = (key: string, admitted: boolean, at: number, refusals: readonly Refusal[]) => {
    if (!admitted) add(waits.refused, key);
    else if (heldBy(refusals, at)) add(waits.held, key);
  };
  for (const c of s.slack.calls) {
    if (c.at < from || c.at > to) continue;
    const mine =
      JSON.stringify(c.args).includes(slackId) ||
      (parentTs !== undefined && (c.args.ts === parentTs || c.args.thread_ts === parentTs));
    if (!mine) continue;
    const refusals = s.slack.refusals.filter((r) => r.method === c.method);
    meet(`Slack ${c.method}`, s.slackAdmitted(c.args), c.at, refusals);
  }
  for (const system of Object.keys(ROUTES) as VendorId[]) {
    const fake = s.vendor(system);
    const userList = system === 'huawei' ? new Set(fake.requestsTo('users')) : new Set();
    for (const r of fake.requests) {
      if (r.at < from || r.at > to) continue;
      const text = `${r.path} ${JSON.stringify(r.query)} ${r.rawBody}`.toLowerCase();
      const key = text.includes(name)
        ? VENDOR_LABEL[system]
        : userList.has(r)
          ? 'Huawei user list'
          : undefined;
      if (key) meet(key, s.admitted(r), r.at, fake.refusals);
    }
  }
  return waits;
}

/** `Slack users.info 1, Okta 2` or `none`. */
export function waitsText(w: Waits): string {
  const list = (m: Map<string, number>) => [...m].map(([k, n]) => `${k} ${n}`).join(', ');
  const parts = [
    w.refused.size ? `refused: ${list(w.refused)}` : '',
    w.held.size ? `held by a Retry-After: ${list(w.held)}` : '',
  ].filter(Boolean);
  return parts.join('; ') || 'none';
}

/** Whether any call of the request met a 429 (refused, or held by one). */
export const waited = (w: Waits) => w.refused.size + w.held.size > 0;
