/**
 * Benchmark 4b — while a bulk runs. Under the same rate-limited fakes as benchmark 4 (and the
 * app given the same limits for its own budget, with a reserve for urgent requests):
 *
 * 1. Urgent during bulk vs idle: one person's request (modal, no approval), submission to its
 *    results parent showing "Finished" — first on the idle app, then spread over a 1,000-person
 *    bulk; and how many of them had a call refused (429) and waited it out.
 * 2. Acks while a bulk runs: `/revoke-sessions help` and the modal-opening
 *    `/revoke-sessions <@USOMEONE>` sent open-loop at a modest rate, on the idle app and again
 *    once the bulk's run has started, from a load generator in its own process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AckSample } from './ack-load-client.js';
import { type AckWindow, ackReport, sendAcks } from './lib/ack-window.js';
import { finalSteps, readRun, SYSTEMS } from './lib/bulk-db.js';
import { floorOf, minimumCalls } from './lib/bulk-floor.js';
import { applyLimits, budgetEnv, DELAY_MS, LIMITS_TEXT, MINUTE_MS } from './lib/bulk-limits.js';
import { finishedParent, seedPeople, sessionsLeft, slackIds, submitRequest } from './lib/bulk-setup.js';
import { type Child, startChild, tsxArgs } from './lib/children.js';
import type { Benchmark, Section } from './lib/section.js';
import { type UrgentSample, urgentRequest } from './lib/urgent.js';
import { urgentReport } from './lib/urgent-report.js';
import { sleep, until } from './lib/wait.js';
import { type Systems, startSystems } from './systems.js';

const PEOPLE = 1_000;
const BYSTANDERS = 100;
const IDLE_SAMPLES = 8;
const BULK_SAMPLES = 12;
/** Idle urgent requests start at least this far apart, so they never share a Slack chat budget window. */
const IDLE_SPACING_MS = 3_000;
/** The first urgent request during the bulk leaves this long after the bulk's submission. */
const FIRST_AT_MS = 3_000;
const ACK_RATE = 10;
const ACK_WINDOW_MS = 40_000;
const ACK_WARMUP_MS = 3_000;
const URGENT_TIMEOUT_MS = 5 * 60_000;

const seconds = (x: number) => `${(x / 1000).toFixed(1)} s`;

/** Waits until no fake has been sent anything for `quietMs`. */
async function quiesce(s: Systems, quietMs: number): Promise<void> {
  const count = () => s.slack.calls.length + s.vendorRequests();
  let last = count();
  let since = Date.now();
  await until(() => {
    const now = count();
    if (now !== last) [last, since] = [now, Date.now()];
    return Date.now() - since >= quietMs;
  }, 60_000);
}

/** Whether a vendor request names one of the bulk's people (`ub0000`…). */
const bulkCall = (r: { path: string; query: Record<string, string> }) =>
  /ub\d{4}/.test(`${r.path} ${JSON.stringify(r.query)}`);

async function run(): Promise<Section> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'revoke-bench-during-'));
  const dbFile = join(dir, 'bench.db');
  let systems: Systems | undefined;
  let app: Child | undefined;
  let loader: Child | undefined;
  try {
    systems = await startSystems({ delayMs: DELAY_MS, calls: 20_000 });
    const s = systems;
    const bulk = slackIds('UB', PEOPLE);
    // One warm-up request (tokens, JIT), then the idle samples, then the samples during the bulk.
    const urgent = slackIds('UU', 1 + IDLE_SAMPLES + BULK_SAMPLES);
    seedPeople(s, [...bulk, ...slackIds('UX', BYSTANDERS), ...urgent]);
    applyLimits(s);
    const bulkSet = new Set(bulk);
    const floor = floorOf(
      minimumCalls({
        people: PEOPLE,
        directoryUsers: s.hw.users.length,
        sessionsLeftInOrg: s.slack.sessions.filter((x) => !bulkSet.has(x.user_id)).length,
        huaweiPeopleWithSessions: PEOPLE,
        googleGrants: 0,
      }),
    ).floor;

    app = startChild(tsxArgs('app-server.ts'), {
      env: { ...s.env(dbFile), ...budgetEnv() },
      cwd: dir,
      ready: /LISTENING (\d+)/,
    });
    loader = startChild(tsxArgs('ack-load-client.ts'), { env: {}, ready: /(READY)/, ipc: true });
    const url = `http://127.0.0.1:${await app.ready}`;
    await loader.ready;
    const acks = (tag: string, durationMs: number) =>
      sendAcks(loader as Child, { url, ratePerSecond: ACK_RATE, durationMs, tag });

    // 1. The idle app: one warm-up request, then the urgent samples one after the other.
    const [warm, ...rest] = urgent;
    const idlePeople = rest.slice(0, IDLE_SAMPLES);
    const bulkPeople = rest.slice(IDLE_SAMPLES);
    await urgentRequest(s, url, warm ?? '', URGENT_TIMEOUT_MS);
    // Longer than Huawei's one-second reuse of a user-list walk, so every sample walks it afresh.
    await quiesce(s, 1_500);
    const idle: UrgentSample[] = [];
    for (const id of idlePeople) {
      const due = performance.now() + IDLE_SPACING_MS;
      idle.push(await urgentRequest(s, url, id, URGENT_TIMEOUT_MS));
      process.stdout.write(
        `  [during-bulk] idle urgent ${idle.length}/${IDLE_SAMPLES}: ${seconds(idle.at(-1)?.ms ?? 0)}\n`,
      );
      await sleep(Math.max(0, due - performance.now()));
    }
    await quiesce(s, 500);
    // 2. Acks on the idle app (after an uncounted warm-up).
    await acks('idle-warm', ACK_WARMUP_MS);
    const idleAcks: AckSample[] = await acks('idle', ACK_WINDOW_MS);
    // Every budget back to full before the bulk: no calls for a while, then one whole window.
    await quiesce(s, 1_000);
    await sleep(MINUTE_MS);

    // 3. The bulk, with the urgent requests spread over it and an ack window once its run started.
    const wall0 = Date.now();
    const t0 = performance.now();
    await submitRequest(url, { targets: bulk, viewId: 'VBULK', reason: 'benchmark 4b: 1,000 people' });
    const spacing = Math.max(1_000, (floor.floorMs * 0.9 - FIRST_AT_MS) / Math.max(1, BULK_SAMPLES - 1));
    const during = bulkPeople.map(async (id, i) => {
      await sleep(Math.max(0, t0 + FIRST_AT_MS + i * spacing - performance.now()));
      const sample = await urgentRequest(s, url, id, URGENT_TIMEOUT_MS);
      process.stdout.write(
        `  [during-bulk] urgent ${i + 1}/${BULK_SAMPLES} sent at ${seconds(sample.sentAt - wall0)}: ${seconds(sample.ms)}\n`,
      );
      return sample;
    });
    const ackWindow: Promise<AckWindow> = (async () => {
      const runStarted = await until(() => s.okta.requests.some(bulkCall), 9 * 60_000, 100);
      if (!runStarted) throw new Error("the bulk's run never reached Okta");
      const from = Date.now() - wall0;
      const samples = await acks('bulk', ACK_WINDOW_MS);
      return { fromMs: from, toMs: Date.now() - wall0, samples };
    })();
    // Awaited below; until then a failure must not end the process as an unhandled rejection.
    for (const p of [...during, ackWindow]) p.catch(() => {});
    const bulkDone = await until(() => finishedParent(s, bulk[0] ?? '') !== undefined, 12 * 60_000, 100);
    const bulkMs = performance.now() - t0;
    if (!bulkDone) throw new Error('the bulk did not finish within 12 min');
    const busy = await Promise.all(during);
    const bulkAcks = await ackWindow;
    await app.stop(30_000);

    // Phases of the bulk, from the fakes: its first Okta call starts the run, its first Mattermost
    // call the downstream systems.
    const firstAt = (rs: readonly { at: number; path: string; query: Record<string, string> }[]) =>
      (rs.find(bulkCall)?.at ?? Number.NaN) - wall0;
    const phases = { runMs: firstAt(s.okta.requests), downstreamMs: firstAt(s.mm.requests), endMs: bulkMs };
    const record = readRun(dbFile);
    const left = sessionsLeft(s, [...bulk, ...urgent]);
    const lost =
      SYSTEMS.reduce((a, sys) => a + (PEOPLE + urgent.length - finalSteps(record, sys)), 0) +
      Object.values(left).reduce((a, n) => a + n, 0);
    const statuses = new Map<string, number>();
    for (const r of record.requests) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    const u = urgentReport(s, { idle, busy, wall0, phases });
    const a = ackReport(idleAcks, bulkAcks);
    return {
      id: 'during-bulk',
      title: '4b. While a bulk runs',
      method: [
        `The set-up of benchmark 4 (${PEOPLE} people in a bulk, ${BYSTANDERS} bystanders, every system rate-limited). ${LIMITS_TEXT}`,
        `Urgent requests: one person each (their own account in all seven systems), submitted through the request modal with no approval, timed from sending the submission to their results parent showing "Finished". First ${IDLE_SAMPLES} on the idle app, one after the other (at least ${IDLE_SPACING_MS / 1000} s apart, after one uncounted warm-up request); then ${BULK_SAMPLES} while the ${PEOPLE}-person bulk runs, sent open-loop ${seconds(spacing)} apart from ${FIRST_AT_MS / 1000} s after the bulk's submission, so they cover its recording (Slack lookups), its identity providers and its downstream systems.`,
        `A request "waited out a 429" when a call made for it (naming the person or their results message; or a page of Huawei's user list) was refused while it ran.`,
        `Acks: signed slash commands, \`/revoke-sessions help\` and \`/revoke-sessions <@USOMEONE>\` (opens the modal; no such user, so its preview stops after one users.info) in turn, ${ACK_RATE} a second open-loop for ${ACK_WINDOW_MS / 1000} s from a load generator in its own process, over keep-alive connections: on the idle app (after ${ACK_WARMUP_MS / 1000} s of uncounted warm-up), and again from the moment the bulk's run reaches its identity providers (the busiest phase of the run). Latency is from writing the request to the end of its HTTP response.`,
      ].join(' '),
      rows: [
        ...u.rows,
        ...a.rows,
        {
          metric: 'the bulk in this run: submission → finished (floor of benchmark 4)',
          measured: `${seconds(bulkMs)} (floor ${seconds(floor.floorMs)}, ×${(bulkMs / floor.floorMs).toFixed(3)}); people lost ${lost}; requests ${[...statuses].map(([k, n]) => `${n} ${k}`).join(', ')}`,
        },
      ],
      details: [...u.details, ...a.details],
      notes: [
        `The app's environment: REVOKE_RATE_LIMITS=${budgetEnv().REVOKE_RATE_LIMITS}, REVOKE_URGENT_RESERVE=${budgetEnv().REVOKE_URGENT_RESERVE}. An app without its own rate budget ignores both; its urgent requests then queue behind the bulk at every exhausted budget.`,
        `The bulk's phases, from the fakes: its run reached the identity providers at ${seconds(phases.runMs)} and the downstream systems at ${seconds(phases.downstreamMs)}; it finished at ${seconds(bulkMs)}. The ack window during the bulk ran from ${seconds(bulkAcks.fromMs)} to ${seconds(bulkAcks.toMs)}.`,
      ],
      durationMs: performance.now() - started,
    };
  } finally {
    await loader?.stop();
    await app?.stop(10_000);
    await systems?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const duringBulk: Benchmark = { id: 'during-bulk', title: '4b. While a bulk runs', run };
