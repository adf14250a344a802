/**
 * The processes an app-level benchmark starts: the fake Slack Web API (in its own process, niced
 * below the load generator) and, beside it, real apps and the minimal Bolt app, each in its own
 * process; the apps pinned to the last CPU, this process and the fake to the first. Stopped
 * together.
 */
import { cpus, setPriority } from 'node:os';
import { SECRETS } from '../../test/helpers/harness.js';
import { appEnv } from '../slack-payloads.js';
import { type Child, pinToCpus, startChild, tsxArgs } from './children.js';
import { until } from './wait.js';

export interface Fleet {
  /** The fake Slack process (IPC: `stats`, `opens`; see fake-slack-server.ts). */
  fake: Child;
  slackUrl: string;
  /** Whether the fake runs at a lower priority (nice 10) than the load generator. */
  niced: boolean;
  /** Starts the real app on the SQLite file `db` (extra env, and app-server.ts arguments); its base URL. */
  app(db: string, o?: { env?: Record<string, string>; args?: string[] }): Promise<string>;
  /** Starts the minimal Bolt app that only acks; its base URL. */
  minimal(): Promise<string>;
  /** Pins the apps started so far to the last CPU, this process and the fake to the first; false when it could not. */
  pin(): boolean;
  /** Asks the fake Slack something over IPC. */
  ask<T>(message: { type: string; prefix?: string }): Promise<T>;
  /** Waits until the apps' after-ack work has drained: no fake Slack call for 400 ms. */
  quiet(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFleet(dir: string): Promise<Fleet> {
  const children: Child[] = [];
  let pinned = false;
  const stop = async () => {
    if (pinned) pinToCpus(process.pid, `0-${cpus().length - 1}`);
    for (const c of children.reverse()) await c.stop();
  };
  const fake = startChild(tsxArgs('fake-slack-server.ts'), { env: {}, ready: /LISTENING (\S+)/, ipc: true });
  children.push(fake);
  try {
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
    const started = async (args: string[], env: Record<string, string>) => {
      const child = startChild(args, { env, cwd: dir, ready: /LISTENING (\d+)/, timeoutMs: 120_000 });
      children.push(child);
      return `http://127.0.0.1:${await child.ready}`;
    };
    const ask = <T>(message: { type: string; prefix?: string }) =>
      new Promise<T>((resolve) => {
        const onMessage = (m: { type?: string; prefix?: string }) => {
          if (m?.type !== message.type || m.prefix !== message.prefix) return;
          fake.proc.off('message', onMessage);
          resolve(m as T);
        };
        fake.proc.on('message', onMessage);
        fake.proc.send?.(message);
      });
    return {
      fake,
      slackUrl,
      niced,
      app: (db, o = {}) =>
        started([...tsxArgs('app-server.ts'), ...(o.args ?? [])], { ...appEnv(slackUrl, db), ...o.env }),
      minimal: () =>
        started(tsxArgs('minimal-bolt-server.ts'), {
          SLACK_BOT_TOKEN: SECRETS.bot,
          SLACK_SIGNING_SECRET: SECRETS.signing,
          SLACK_API_URL: slackUrl,
          PORT: '0',
        }),
      pin: () => {
        const last = String(cpus().length - 1);
        pinned =
          children.slice(1).every((c) => c.proc.pid !== undefined && pinToCpus(c.proc.pid, last)) &&
          [process.pid, fake.proc.pid].every((pid) => pid !== undefined && pinToCpus(pid, '0'));
        return pinned;
      },
      ask,
      quiet: async () => {
        let last = -1;
        let stableSince = Date.now();
        await until(
          async () => {
            const n = (await ask<{ calls: number }>({ type: 'stats' })).calls;
            if (n !== last) [last, stableSince] = [n, Date.now()];
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
