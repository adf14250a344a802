/**
 * Open-loop load: requests leave on a schedule fixed in advance (Poisson arrivals at a given rate),
 * whatever the answers, and each latency is taken from the *scheduled* send time — so a slow
 * answer cannot hold back the next request and hide the queueing it causes (coordinated omission).
 */
import { Agent } from 'node:http';
import { prng } from '../../test/helpers/prng.js';
import { monoMs } from './clock.js';
import { type LoadRequest, sendOne } from './load.js';
import { sleep } from './wait.js';

/** Offsets (ms from the start) of `count` Poisson arrivals at `rate` per second. */
export function poissonSchedule(rate: number, count: number, seed: number): number[] {
  const next = prng(seed); // the same seed gives both apps the same arrivals
  const out: number[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    t += (-Math.log(1 - next()) / rate) * 1000;
    out.push(t);
  }
  return out;
}

export interface Arrival {
  /** When it was due (monotonic ms, see clock.ts). */
  scheduled: number;
  /** How late the generator actually wrote it (ms). */
  lag: number;
  /** From the scheduled time to the end of the response (ms); NaN when it failed. */
  latency: number;
  status: number;
}

/**
 * Sends request i (built by `build(i)` just before it leaves, so signatures are fresh) at
 * `start + schedule[i]`, over keep-alive connections opened as needed (no cap: a real sender does
 * not wait for a free connection). Resolves when every request is answered or timed out.
 */
export async function runOpenLoop(
  baseUrl: string,
  o: { schedule: readonly number[]; build: (i: number) => LoadRequest; agent: Agent; timeoutMs?: number },
): Promise<Arrival[]> {
  const url = new URL(baseUrl);
  if (url.hostname !== '127.0.0.1') throw new Error(`benchmarks only send traffic to 127.0.0.1 (${baseUrl})`);
  const arrivals: Arrival[] = [];
  const pending: Promise<void>[] = [];
  const fire = (i: number, scheduled: number) => {
    const req = o.build(i);
    const a: Arrival = { scheduled, lag: 0, latency: Number.NaN, status: 0 };
    arrivals[i] = a;
    pending.push(
      sendOne(url, req, o.agent, o.timeoutMs).then((sent) => {
        a.lag = sent.sentAt - scheduled;
        a.latency = sent.endedAt - scheduled;
        a.status = sent.status;
      }),
    );
  };
  const start = monoMs() + 5;
  let i = 0;
  while (i < o.schedule.length) {
    const due = start + (o.schedule[i] ?? 0);
    const wait = due - monoMs();
    // Timers are coarse (about 1 ms): sleep most of the way, then yield until due.
    if (wait > 1.5) await sleep(wait - 1);
    else if (wait > 0) await new Promise((r) => setImmediate(r));
    else fire(i++, due);
  }
  await Promise.all(pending);
  return arrivals;
}

export { Agent };
