/**
 * Benchmark 4 — bulk. One request for 1,000 people across all seven systems,
 * submitted through the request modal (the "Also revoke for" list), while
 * every fake enforces its vendor's rate limit and answers 429 + Retry-After
 * beyond it. Measured: submission to the results parent showing "Finished",
 * against the floor a correct run needs under those limits (lib/bulk-floor.ts:
 * computed from the minimum calls, not from the calls the app made — those are
 * counted beside it, so any excess is visible); people lost; the app's peak
 * resident memory.
 *
 * Time is compressed by one factor for every system (lib/bulk-limits.ts), and
 * the app is given the same limits for its own rate budget.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Received } from '../test/fakes/vendor.js';
import { callTables, compareCalls, countCalls, totalExcess } from './lib/bulk-calls.js';
import { finalSteps, readRun, SYSTEMS, stepStates, timeline } from './lib/bulk-db.js';
import { FLOOR_TEXT, floorOf, minimumCalls } from './lib/bulk-floor.js';
import {
  applyLimits,
  budgetEnv,
  DELAY_MS,
  LIMITS_TEXT,
  MINUTE_MS,
  SCALE,
  SLACK_LIMITS,
} from './lib/bulk-limits.js';
import {
  finishedParent,
  memoryOf,
  seedPeople,
  sessionsLeft,
  slackIds,
  submitRequest,
  untouched,
} from './lib/bulk-setup.js';
import { type Child, startChild, tsxArgs } from './lib/children.js';
import type { Benchmark, Section } from './lib/section.js';
import { until } from './lib/wait.js';
import { type Systems, startSystems } from './systems.js';

const PEOPLE = 1_000;
const BYSTANDERS = 100;
const TARGET_RATIO = 1.15;
const TARGET_RSS_MB = 250;
/** A call already on its way when another call's 429 is answered is not counted as ignoring it. */
const IN_FLIGHT_MS = 100;

/** Calls that arrived after a 429 had been answered and before the Retry-After it announced ended. */
function sentDuringWait(refusals: { at: number; retryAfterMs: number }[], arrivals: number[]): number {
  return arrivals.filter((a) =>
    refusals.some((r) => a > r.at + IN_FLIGHT_MS && a < r.at + r.retryAfterMs - 5),
  ).length;
}

const seconds = (x: number) => `${(x / 1000).toFixed(1)} s`;
const at = (rs: readonly Received[]) => rs.map((r) => r.at);

async function run(): Promise<Section> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'revoke-bench-bulk-'));
  const dbFile = join(dir, 'bench.db');
  let systems: Systems | undefined;
  let app: Child | undefined;
  try {
    // A small, realistic latency on every vendor call (20 ms); the limits decide the time.
    systems = await startSystems({ delayMs: DELAY_MS, calls: 20_000 });
    const s = systems;
    const bulk = slackIds('UB', PEOPLE);
    const bystanders = slackIds('UX', BYSTANDERS);
    seedPeople(s, [...bulk, ...bystanders]);
    applyLimits(s);
    const bulkSet = new Set(bulk);
    const minimum = minimumCalls({
      people: PEOPLE,
      directoryUsers: s.hw.users.length,
      sessionsLeftInOrg: s.slack.sessions.filter((x) => !bulkSet.has(x.user_id)).length,
      huaweiPeopleWithSessions: new Set(
        s.hw.sessions.map((x) => x.user_id.slice(3).toUpperCase()).filter((id) => bulkSet.has(id)),
      ).size,
      googleGrants: s.google.grants.length,
    });
    const floor = floorOf(minimum);

    app = startChild(tsxArgs('app-server.ts'), {
      env: { ...s.env(dbFile), ...budgetEnv() },
      cwd: dir,
      ready: /LISTENING (\d+)/,
    });
    const url = `http://127.0.0.1:${await app.ready}`;
    const pid = app.proc.pid ?? 0;
    const slackBefore = s.slack.calls.length;
    const before = countCalls(s);

    let peakSampled = 0;
    const sampler = setInterval(() => {
      peakSampled = Math.max(peakSampled, memoryOf(pid)?.now ?? 0);
    }, 250);
    const t0 = performance.now();
    const wall0 = Date.now();
    await submitRequest(url, { targets: bulk, viewId: 'VBULK', reason: 'benchmark 4: 1,000 people' });
    let lastProgress = 0;
    const finished = await until(
      () => {
        const now = performance.now();
        if (now - lastProgress > 15_000) {
          lastProgress = now;
          process.stdout.write(
            `  [bulk] ${((now - t0) / 1000).toFixed(0)} s (floor ${seconds(floor.floor.floorMs)}): Slack ${s.slack.calls.length - slackBefore} calls (${s.slack.rateLimited} × 429), Okta ${s.okta.requests.length} (${s.okta.rateLimited}), Box ${s.box.requests.length} (${s.box.rateLimited}), Mattermost ${s.mm.requests.length} (${s.mm.rateLimited}), Huawei ${s.hw.requests.length} (${s.hw.rateLimited})\n`,
          );
        }
        return finishedParent(s, bulk[0] ?? '') !== undefined;
      },
      9 * 60_000,
      100,
    );
    const totalMs = performance.now() - t0;
    clearInterval(sampler);
    if (!finished)
      throw new Error(`the bulk did not finish within 9 min (floor ${seconds(floor.floor.floorMs)})`);
    const memory = memoryOf(pid);
    const calls = compareCalls(minimum, before, countCalls(s));
    await app.stop(30_000);

    // Nobody lost: every person has a final step in every system, and nothing is left to end.
    const record = readRun(dbFile);
    const left = sessionsLeft(s, bulk);
    const lost =
      SYSTEMS.reduce((a, sys) => a + (PEOPLE - finalSteps(record, sys)), 0) +
      Object.values(left).reduce((a, n) => a + n, 0);
    const spared = untouched(s, bystanders);
    const ratio = totalMs / floor.floor.floorMs;
    const excess = totalExcess(calls);

    // Retry-After honoured by every concurrent call, not only the refused one.
    const slackCalls = s.slack.calls.slice(slackBefore);
    const ignored = {
      slack: Object.keys(SLACK_LIMITS).reduce(
        (n, method) =>
          n +
          sentDuringWait(
            s.slack.refusals.filter((r) => r.method === method),
            slackCalls.filter((c) => c.method === method).map((c) => c.at),
          ),
        0,
      ),
      okta: sentDuringWait(s.okta.refusals, at(s.okta.requests)),
      entra: sentDuringWait(s.entra.refusals, at(s.entra.requests)),
      google: sentDuringWait(s.google.refusals, at(s.google.requests)),
      box: sentDuringWait(s.box.refusals, at(s.box.requests)),
      mattermost: sentDuringWait(s.mm.refusals, at(s.mm.requests)),
      huawei: sentDuringWait(s.hw.refusals, at(s.hw.requests)),
    };
    const ignoredTotal = Object.values(ignored).reduce((a, n) => a + n, 0);
    return {
      id: 'bulk',
      title: '4. Bulk',
      method: [
        `One request for ${PEOPLE} people (each with an account in all seven systems — Okta, Entra ID and Google Workspace first, then Slack, Box, Mattermost and Huawei; ${BYSTANDERS} more people are bystanders) submitted through the request modal ("Also revoke for") to the real app in its own process (SQLite), no approval needed.`,
        LIMITS_TEXT,
        `So the run takes minutes instead of the ${Math.round((floor.floor.floorMs * SCALE) / 60_000)} min it would in real time; the compression is chosen so that rounding Retry-After to whole seconds costs at most 1/${MINUTE_MS / 1000} of a window (at 10× it could reach 1/6 and would dominate the result).`,
        `Measured from sending the submission to the results parent showing "Finished". ${FLOOR_TEXT}`,
        'The calls the app made are counted at the fakes per route (answered, and refused with a 429) and shown beside those minimums.',
      ].join(' '),
      rows: [
        {
          metric: 'submission → finished / floor a correct run needs',
          measured: `×${ratio.toFixed(3)} (${seconds(totalMs)} vs ${seconds(floor.floor.floorMs)}, set by ${floor.floor.system})`,
          target: `≤ ×${TARGET_RATIO}`,
          pass: ratio <= TARGET_RATIO,
        },
        {
          metric: 'people lost (no final step, or a session left)',
          measured: `${lost} (sessions left: ${Object.entries(left)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}; bystanders untouched: ${spared ? 'yes' : 'NO'})`,
          target: '0',
          pass: lost === 0 && spared,
        },
        {
          metric: 'peak resident memory of the app',
          measured: memory
            ? `${memory.peak.toFixed(1)} MiB (sampled peak ${peakSampled.toFixed(1)} MiB)`
            : 'n/a',
          target: `< ${TARGET_RSS_MB} MB`,
          pass: memory !== undefined && memory.peak < TARGET_RSS_MB,
        },
        {
          metric: 'floor: the longest chain',
          measured: `${seconds(floor.floor.floorMs)} (${floor.floor.system}: ${floor.floor.stages.join(' → ')})`,
        },
        {
          metric: 'calls beyond the minimum (answered)',
          measured: `${excess.calls} (${excess.where})`,
        },
        {
          metric: '429s answered',
          measured: `Slack ${s.slack.rateLimited} (${[...s.slack.rateLimitedBy].map(([m, n]) => `${m} ${n}`).join(', ') || 'none'}), Box ${s.box.rateLimited}, Mattermost ${s.mm.rateLimited}, Huawei ${s.hw.rateLimited}, Okta ${s.okta.rateLimited}, Entra ID ${s.entra.rateLimited}, Google ${s.google.rateLimited}`,
        },
        {
          metric: `calls sent while a Retry-After ran (more than ${IN_FLIGHT_MS} ms after the 429, before its end)`,
          measured: `${ignoredTotal} (${Object.entries(ignored)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')})`,
          target: '0',
          pass: ignoredTotal === 0,
        },
        ...SYSTEMS.map((sys) => ({ metric: `${sys} steps`, measured: stepStates(record, sys) })),
        { metric: 'request', measured: record.requests.map((r) => `${r.status} (${r.summary})`).join('; ') },
      ],
      details: [
        {
          title: `Floor per system, along its data dependencies, from the minimum calls (one minute = ${MINUTE_MS / 1000} s)`,
          headers: ['system', 'chain', 'floor'],
          rows: floor.chains.map((c) => [c.system, c.stages.join(' → '), seconds(c.floorMs)]),
        },
        ...callTables(calls),
        {
          title: 'Timeline (audit log, from sending the submission)',
          headers: ['at', 'event'],
          rows: [...timeline(record, wall0), [seconds(totalMs), 'the results parent shows "Finished"']],
        },
      ],
      notes: [
        'Slack users.info (Tier 4) sets the start: every person is looked up once, when the request is recorded, and a request that runs at once reuses those lookups (after an approval wait the run looks everyone up again). The identity providers run next, then the downstream systems. The revocation in Slack is one resetBulk call, and the verification one paged walk of the organisation’s sessions (a Tier-2 call per person would take 50 minutes of real budget for 1,000 people).',
        'A 429 holds every call on the same budget (a Slack method; a vendor account) until its Retry-After ends, so about one call per exhausted window is refused instead of one per concurrent worker; the time lost to the limits is then the rounding of Retry-After to whole seconds.',
        `Box terminate_sessions documents no maximum, so the minimum is one call; the app made ${calls.find((r) => r.system === 'box' && r.call === 'terminate_sessions')?.answered ?? 0} (it keeps its chunks modest), which costs no time here unless Box's chain is the longest.`,
        'Peak memory is of the process as the benchmark runs it (TypeScript through tsx, which adds its compiler); `npm start` runs the compiled JavaScript.',
      ],
      durationMs: performance.now() - started,
    };
  } finally {
    await app?.stop(10_000);
    await systems?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const bulkBenchmark: Benchmark = { id: 'bulk', title: '4. Bulk', run };
