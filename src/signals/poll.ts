import { z } from 'zod';
import type { SignalStore, StreamRecord } from '../engine/store-port/index.js';
import type { Logger } from '../log.js';
import type { StreamAnswer } from './streams.js';

/** RFC 8936 §2.4: the poll request. */
const pollSchema = z.object({
  maxEvents: z.number().int().min(0).max(1000).optional(),
  returnImmediately: z.boolean().optional(),
  ack: z.array(z.string().min(1).max(200)).max(1000).optional(),
  setErrs: z
    .record(
      z.string().min(1).max(200),
      z.object({ err: z.string().max(100), description: z.string().max(500).optional() }),
    )
    .optional(),
});

/** SETs handed out per poll when the receiver does not say (RFC 8936 leaves it to the transmitter). */
const DEFAULT_MAX = 100;

export interface PollDeps {
  signals: SignalStore;
  logger: Logger;
  /** How long a poll without `returnImmediately: true` waits for a first SET (default 5 s; RFC 8936 §2.4: long polling is the default). */
  longPollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * One poll of a stream (RFC 8936): acknowledged SETs (and those the receiver reports as errors,
 * which are logged) are removed first; then up to `maxEvents` waiting SETs are answered as
 * `{sets: {jti: SET}, moreAvailable}`. A SET stays until acknowledged, so a poll answer lost on
 * the way is handed out again.
 */
export async function pollStream(deps: PollDeps, stream: StreamRecord, body: unknown): Promise<StreamAnswer> {
  const parsed = pollSchema.safeParse(body);
  if (!parsed.success)
    return { status: 400, body: { error: 'invalid_request', description: 'not an RFC 8936 poll request' } };
  const { maxEvents, returnImmediately, ack = [], setErrs = {} } = parsed.data;
  for (const [jti, e] of Object.entries(setErrs))
    deps.logger.warn(`SSF stream ${stream.id}: the receiver reported SET ${jti.slice(0, 100)} as ${e.err}`);
  await deps.signals.removeSets(stream.id, [...ack, ...Object.keys(setErrs)]);
  const max = maxEvents ?? DEFAULT_MAX;
  if (max === 0)
    return {
      status: 200,
      body: { sets: {}, moreAvailable: (await deps.signals.countWaiting(stream.id)) > 0 },
    };
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let waiting = await deps.signals.waitingSets(stream.id, max + 1);
  for (
    const until = Date.now() + (deps.longPollMs ?? 5_000);
    waiting.length === 0 && returnImmediately !== true && Date.now() < until;
  ) {
    await sleep(200);
    waiting = await deps.signals.waitingSets(stream.id, max + 1);
  }
  const sets = Object.fromEntries(waiting.slice(0, max).map((s) => [s.jti, s.set]));
  return { status: 200, body: { sets, moreAvailable: waiting.length > max } };
}
