/**
 * Benchmark 2's CPU figure: the CPU time a process uses over a long run of
 * `/revoke-sessions <@UALICE>` commands (from /proc, every thread), per command.
 * Three processes receive the same commands, one after the other, on the same
 * CPU: the app with Slack only (bot and admin tokens — per command the ack,
 * `views.open`, `users.info`, `admin.users.session.list` and `views.update`),
 * the app with all seven systems (the preview also asks the six others), and
 * the minimal Bolt app of benchmark 1, whose command listener only acks. Their
 * fakes answer at once, so each run is the CPU's work, not waiting.
 */
import { join } from 'node:path';
import { SECRETS, user } from '../test/helpers/harness.js';
import { type Child, startChild, tsxArgs } from './lib/children.js';
import { clockTicks, cpuTimeMs } from './lib/cpu-time.js';
import { runLoad, statusSummary } from './lib/load.js';
import type { Row } from './lib/section.js';
import { until } from './lib/wait.js';
import { appEnv, command } from './slack-payloads.js';
import { startSystems } from './systems.js';

/** Bursts like benchmark 2's measured levels: the after-ack queue never refuses a modal (one 1,000 burst would). */
const BURSTS = 5;
const BURST = 200;
const COMMANDS = BURSTS * BURST;
const CONCURRENCY = 10;
const WARMUP_BURSTS = 10;
const TARGET_MS = 1.0;

interface CpuRun {
  /** CPU time over the run (user + system), ms; undefined without /proc. */
  cpuMs: number | undefined;
  wallMs: number;
  statuses: string;
  /** Commands whose modal never opened (a refused or failed command does less work). */
  unopened: number;
}

export interface CpuResult {
  rows: Row[];
  method: string;
}

const perCommand = (r: CpuRun) => (r.cpuMs === undefined ? undefined : r.cpuMs / COMMANDS);
const fmt = (v: number | undefined) => (v === undefined ? 'n/a (no /proc)' : `${v.toFixed(2)} ms`);
const describe = (r: CpuRun) =>
  `${COMMANDS} commands in ${(r.wallMs / 1000).toFixed(1)} s, ${r.cpuMs?.toFixed(0) ?? '?'} ms of CPU (${r.statuses}${r.unopened ? `; ${r.unopened} modals never opened` : ''})`;

/** Runs the three CPU runs; `pin` puts a process on the CPU the app under test has to itself. */
export async function measureCpu(dir: string, pin: (pid: number) => boolean): Promise<CpuResult> {
  const openedAt = new Set<string>();
  const systems = await startSystems({
    delayMs: 0,
    calls: 0,
    slowSlackMethods: new Set(),
    onSlackCall: (method, args) => {
      if (method === 'views.open') openedAt.add(String(args.trigger_id));
    },
  });
  const children: Child[] = [];
  try {
    const slack = systems.slack;
    slack.addUser(user('UREQ', 'bob@example.com'));
    systems.addPerson('alice', 'UALICE');
    const start = (file: string, env: Record<string, string>) => {
      const child = startChild(tsxArgs(file), { env, cwd: dir, ready: /LISTENING (\d+)/ });
      children.push(child);
      return child;
    };
    const apps = {
      slack: start('app-server.ts', appEnv(slack.url, join(dir, 'cpu-slack.db'))),
      all: start('app-server.ts', systems.env(join(dir, 'cpu-all.db'))),
      minimal: start('minimal-bolt-server.ts', {
        SLACK_BOT_TOKEN: SECRETS.bot,
        SLACK_SIGNING_SECRET: SECRETS.signing,
        SLACK_API_URL: slack.url,
        PORT: '0',
      }),
    };
    const pinned = Object.values(apps).every((c) => c.proc.pid !== undefined && pin(c.proc.pid));
    const drained = () => slack.callsTo('views.update').length >= slack.callsTo('views.open').length;
    /** `bursts` bursts to one app; with `modal`, each burst's after-ack work finishes before the next. */
    const send = async (child: Child, tag: string, bursts: number, modal: boolean) => {
      const url = `http://127.0.0.1:${await child.ready}`;
      const statuses = new Map<number, number>();
      let errors = 0;
      let unopened = 0;
      for (let b = 0; b < bursts; b++) {
        const triggers = Array.from({ length: BURST }, (_, i) => `${tag}${b}-${i}`);
        const r = await runLoad(url, {
          concurrency: CONCURRENCY,
          count: BURST,
          build: (i) => command('<@UALICE|alice>', triggers[i] ?? ''),
        });
        for (const [code, n] of r.statuses) statuses.set(code, (statuses.get(code) ?? 0) + n);
        errors += r.errors;
        if (!modal) continue;
        await until(() => triggers.every((t) => openedAt.has(t)), 10_000);
        await until(drained, 30_000);
        unopened += triggers.filter((t) => !openedAt.has(t)).length;
      }
      return { statuses: statusSummary(statuses, errors), unopened };
    };
    const measure = async (name: keyof typeof apps): Promise<CpuRun> => {
      const child = apps[name];
      const modal = name !== 'minimal';
      await send(child, `${name}-warm`, WARMUP_BURSTS, modal); // JIT, connection pools, tokens
      const pid = child.proc.pid;
      const before = pid === undefined ? undefined : cpuTimeMs(pid);
      const t0 = performance.now();
      const { statuses, unopened } = await send(child, `${name}-cpu`, BURSTS, modal);
      const wallMs = performance.now() - t0;
      const after = pid === undefined ? undefined : cpuTimeMs(pid);
      const cpuMs = before === undefined || after === undefined ? undefined : after - before;
      process.stdout.write(
        `  [modal] CPU, ${name}: ${fmt(cpuMs === undefined ? undefined : cpuMs / COMMANDS)} a command\n`,
      );
      return { cpuMs, wallMs, statuses, unopened };
    };
    const slackOnly = await measure('slack');
    const all = await measure('all');
    const minimal = await measure('minimal');
    const o = perCommand(slackOnly);
    const m = perCommand(minimal);
    return {
      rows: [
        {
          metric: 'CPU per modal command, app with Slack only (minimal Bolt app, ack only, beside it)',
          measured: `${fmt(o)} (minimal ${fmt(m)})`,
          target: `≤ ${TARGET_MS.toFixed(1)} ms`,
          pass: o === undefined ? undefined : slackOnly.unopened === 0 && o <= TARGET_MS,
        },
        {
          metric: 'CPU per modal command, app with all seven systems (the preview asks each)',
          measured: fmt(perCommand(all)),
        },
        { metric: 'CPU run: app with Slack only', measured: describe(slackOnly) },
        { metric: 'CPU run: app with all seven systems', measured: describe(all) },
        { metric: 'CPU run: minimal Bolt app', measured: describe(minimal) },
      ],
      method: [
        `CPU per modal command: a process's CPU time (utime + stime of /proc/<pid>/stat, all its threads, ${clockTicks()} ticks a second) before and after ${COMMANDS} commands (${BURSTS} bursts of ${BURST} at ${CONCURRENCY} in flight, each burst's after-ack work finished before the next, after ${WARMUP_BURSTS} warm-up bursts), divided by ${COMMANDS}.`,
        'Measured for three processes in turn, against fakes of their own that answer at once (so a run is work, not waiting): the app with Slack only (bot and admin tokens: per command the ack, `views.open`, `users.info`, `admin.users.session.list`, `views.update` and the `sessions_previewed` audit record — the figure the target is for); the same app with all seven systems (the preview also asks the six others); and the minimal Bolt app of benchmark 1 receiving the same commands, whose listener only acks.',
        `All three${pinned ? ' pinned to the CPU the app had in the latency rounds' : ' unpinned'}.`,
      ].join(' '),
    };
  } finally {
    await Promise.all(children.map((c) => c.stop(10_000)));
    await systems.close();
  }
}
