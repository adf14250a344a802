/**
 * Benchmark 1's processes: the fake Slack Web API, the real app and the minimal Bolt app, each in
 * its own process, the apps pinned to the last CPU and this process (the load generator) and the
 * fake to the first; and what the fake saw (call counts, when each `views.open` arrived).
 */
import { cpus, setPriority } from 'node:os';
import { join } from 'node:path';
import { SECRETS } from '../../test/helpers/harness.js';
import { appEnv } from '../slack-payloads.js';
import { type Child, pinToCpus, startChild, tsxArgs } from './children.js';
import { until } from './wait.js';

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

function ask<T>(fake: Child, message: { type: string; prefix?: string }): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (m: { type?: string; prefix?: string }) => {
      if (m?.type !== message.type || m.prefix !== message.prefix) return;
      fake.proc.off('message', onMessage);
      resolve(m as T);
    };
    fake.proc.on('message', onMessage);
    fake.proc.send?.(message);
  });
}

export async function startAckProcesses(dir: string): Promise<AckProcesses> {
  const children: Child[] = [];
  let pinned = false;
  const stop = async () => {
    if (pinned) pinToCpus(process.pid, `0-${cpus().length - 1}`);
    for (const c of children.reverse()) await c.stop();
  };
  try {
    const fake = startChild(tsxArgs('fake-slack-server.ts'), {
      env: {},
      ready: /LISTENING (\S+)/,
      ipc: true,
    });
    children.push(fake);
    const slackUrl = await fake.ready;
    // The fake shares a CPU with the load generator: lower its priority so that the generator,
    // which needs little CPU, leaves on schedule instead of waiting for the fake's time slice.
    let niced = false;
    try {
      if (fake.proc.pid !== undefined) setPriority(fake.proc.pid, 10);
      niced = true;
    } catch {
      // not permitted here: the generator's lag (reported) shows what that costs
    }
    const ours = startChild(tsxArgs('app-server.ts'), {
      env: appEnv(slackUrl, join(dir, 'bench.db')),
      cwd: dir,
      ready: /LISTENING (\d+)/,
    });
    const minimal = startChild(tsxArgs('minimal-bolt-server.ts'), {
      env: {
        SLACK_BOT_TOKEN: SECRETS.bot,
        SLACK_SIGNING_SECRET: SECRETS.signing,
        SLACK_API_URL: slackUrl,
        PORT: '0',
      },
      cwd: dir,
      ready: /LISTENING (\d+)/,
    });
    children.push(ours, minimal);
    const urls: Record<AppName, string> = {
      ours: `http://127.0.0.1:${await ours.ready}`,
      minimal: `http://127.0.0.1:${await minimal.ready}`,
    };
    const last = String(cpus().length - 1);
    pinned =
      [ours.proc.pid, minimal.proc.pid].every((pid) => pid !== undefined && pinToCpus(pid, last)) &&
      [process.pid, fake.proc.pid].every((pid) => pid !== undefined && pinToCpus(pid, '0'));
    const stats = () =>
      ask<{ calls: number; byMethod: Record<string, number> }>(fake, { type: 'stats', prefix: undefined });
    return {
      urls,
      pinned,
      niced,
      stats,
      opens: async (prefix) =>
        new Map((await ask<{ opens: [string, number][] }>(fake, { type: 'opens', prefix })).opens),
      quiet: async () => {
        let last = -1;
        let stableSince = Date.now();
        await until(
          async () => {
            const n = (await stats()).calls;
            if (n !== last) {
              last = n;
              stableSince = Date.now();
            }
            return Date.now() - stableSince >= 400;
          },
          120_000,
          50,
        );
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
