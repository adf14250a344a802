/**
 * Benchmark 1's processes: the fake Slack Web API, the real app and the minimal Bolt app, each in
 * its own process, the apps pinned to the last CPU and this process (the load generator) and the
 * fake to the first; and what the fake saw (call counts, when each `views.open` arrived).
 */
import { join } from 'node:path';
import { startFleet } from './fleet.js';

export type AppName = 'ours' | 'minimal';

export interface AckProcesses {
  urls: Record<AppName, string>;
  /** Whether the taskset pinning worked. */
  pinned: boolean;
  /** Whether the fake Slack runs at a lower priority (nice 10) than the load generator. */
  niced: boolean;
  /** Calls the fake Slack answered, in all and per method. */
  stats(): Promise<{ calls: number; byMethod: Record<string, number> }>;
  /** trigger id → when views.open arrived (monotonic ms), for triggers starting with `prefix` (then forgotten). */
  opens(prefix: string): Promise<Map<string, number>>;
  /** Waits until the apps' after-ack work has drained: no fake Slack call for 400 ms. */
  quiet(): Promise<void>;
  stop(): Promise<void>;
}

export async function startAckProcesses(dir: string): Promise<AckProcesses> {
  const fleet = await startFleet(dir);
  try {
    const urls: Record<AppName, string> = {
      ours: await fleet.app(join(dir, 'bench.db')),
      minimal: await fleet.minimal(),
    };
    const pinned = fleet.pin();
    return {
      urls,
      pinned,
      niced: fleet.niced,
      stats: () => fleet.ask<{ calls: number; byMethod: Record<string, number> }>({ type: 'stats' }),
      opens: async (prefix) =>
        new Map((await fleet.ask<{ opens: [string, number][] }>({ type: 'opens', prefix })).opens),
      quiet: () => fleet.quiet(),
      stop: () => fleet.stop(),
    };
  } catch (error) {
    await fleet.stop();
    throw error;
  }
}
