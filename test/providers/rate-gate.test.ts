import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { createProviders } from '../../src/providers/index.js';
import { RateGate, withRetry } from '../../src/providers/retry.js';
import { SlackApi } from '../../src/providers/slack-admin/client.js';
import { SlackDirectory } from '../../src/providers/slack-admin/directory.js';
import { mapLimit } from '../../src/util/limit.js';
import { FakeMattermost } from '../fakes/mattermost.js';
import { FakeSlack } from '../fakes/slack.js';
import { captureLogs } from '../helpers/capture.js';
import { SECRETS, user } from '../helpers/harness.js';

const PEOPLE = 12;
const WORKERS = 4;
/** Every admitted call takes this long, so a worker's next call comes well after another worker's 429. */
const SLOW_MS = 300;
/** A call may already be on its way when another call's 429 is answered (sent before it arrived). */
const IN_FLIGHT_MS = 100;

/**
 * Calls that arrived while a 429 the vendor answered earlier still asked for none (after the
 * in-flight allowance, before its Retry-After ended): calls sent in spite of Retry-After.
 */
function sentDuringWait(refusals: { at: number; retryAfterMs: number }[], arrivals: number[]): number {
  return arrivals.filter((a) =>
    refusals.some((r) => a > r.at + IN_FLIGHT_MS && a < r.at + r.retryAfterMs - 5),
  ).length;
}

/**
 * One 429 holds every concurrent call on the same budget until its Retry-After ends (a
 * shared gate), instead of each of the workers running into the limit on its own.
 */
describe('a 429 pauses every call on the same budget', () => {
  const logs: string[] = [];
  const logger = new RedactingLogger(new Redactor(), 'debug', captureLogs(logs));
  const mm = new FakeMattermost();
  const slack = new FakeSlack({ botToken: SECRETS.bot, adminToken: SECRETS.admin });

  beforeAll(async () => {
    await Promise.all([mm.start(), slack.start()]);
    for (let i = 0; i < PEOPLE; i++) {
      mm.users.push({ id: `m${i}`, email: `p${i}@example.com`, username: `p${i}` });
      slack.addUser(user(`UP${i}`, `p${i}@example.com`));
    }
  });
  afterAll(() => Promise.all([mm.close(), slack.close()]));

  it('Mattermost (one budget for the account): no call is sent while a Retry-After runs', async () => {
    const provider = createProviders(loadConfig(mm.env(), { requireSlack: false }), {
      logger,
      retryPolicy: { maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 50, maxTotalMs: 30_000 },
    }).get('mattermost');
    if (!provider) throw new Error('mattermost not configured');
    mm.failNext('user_by_email', ...Array.from({ length: PEOPLE }, () => ({ delayMs: SLOW_MS })));
    mm.limitRate(3, 1_000);
    const before = mm.requests.length;
    const found = await mapLimit(
      Array.from({ length: PEOPLE }, (_, i) => i),
      WORKERS,
      (i) => provider.findAccount({ email: `p${i}@example.com` }),
    );
    mm.limitRate(Number.MAX_SAFE_INTEGER, 1);
    expect(found.map((f) => f.status)).toEqual(Array(PEOPLE).fill('found'));
    expect(mm.refusals.length).toBeGreaterThan(0);
    const arrivals = mm.requests.slice(before).map((r) => r.at);
    expect(sentDuringWait(mm.refusals, arrivals)).toBe(0);
    // About one refusal a window (4 windows of 3): the others waited instead of asking.
    expect(mm.refusals.length).toBeLessThanOrEqual(PEOPLE / 3 + 1);
  });

  it('Slack (a budget per method): users.info waits, other methods do not', async () => {
    const api = new SlackApi(SECRETS.bot, {
      apiUrl: slack.url,
      logger,
      tokenVar: 'SLACK_BOT_TOKEN',
      retryPolicy: { maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 50, maxTotalMs: 30_000 },
    });
    const directory = new SlackDirectory(api);
    slack.rateLimits.set('users.info', { max: 3, windowMs: 1_000 });
    slack.beforeAnswer = async (method) => {
      if (method === 'users.info') await new Promise((r) => setTimeout(r, SLOW_MS));
      return false;
    };
    const before = slack.calls.length;
    let otherMethodAt = 0;
    const [found] = await Promise.all([
      mapLimit(
        Array.from({ length: PEOPLE }, (_, i) => i),
        WORKERS,
        (i) => directory.getUser(`UP${i}`),
      ),
      // Started once users.info is being held: a different method is not held with it.
      (async () => {
        while (slack.refusals.length === 0) await new Promise((r) => setTimeout(r, 5));
        const t = Date.now();
        await directory.findByEmail('p0@example.com');
        otherMethodAt = Date.now() - t;
      })(),
    ]);
    slack.rateLimits.delete('users.info');
    slack.beforeAnswer = undefined;
    expect(found.map((u) => u?.id)).toEqual(Array.from({ length: PEOPLE }, (_, i) => `UP${i}`));
    const arrivals = slack.calls
      .slice(before)
      .filter((c) => c.method === 'users.info')
      .map((c) => c.at);
    expect(slack.refusals.length).toBeGreaterThan(0);
    expect(sentDuringWait(slack.refusals, arrivals)).toBe(0);
    expect(slack.refusals.length).toBeLessThanOrEqual(PEOPLE / 3 + 1);
    expect(otherMethodAt).toBeLessThan(500);
  });

  it('the longest wait announced stands; the call told to wait sleeps once, exactly as told', async () => {
    let clock = 1_000;
    const gate = new RateGate(() => clock);
    const slept: number[] = [];
    let release: () => void = () => {};
    const long = new Promise<void>((r) => {
      release = r;
    });
    gate.hold(5_000, long);
    gate.hold(2_000, Promise.resolve()); // shorter: the 5 s wait stands
    let passed = false;
    const waiting = gate.ready().then(() => {
      passed = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(passed).toBe(false);
    release();
    await waiting;
    expect(passed).toBe(true);

    // A 429 then success through withRetry: one sleep of the Retry-After, none added by the gate.
    clock = 2_000;
    let attempts = 0;
    const out = await withRetry(
      async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('429');
        return 'ok';
      },
      () => ({ retry: true, rateLimited: true, afterMs: 3_000 }),
      { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, maxTotalMs: 10_000 },
      {
        gate,
        sleep: async (ms) => {
          slept.push(ms);
        },
      },
    );
    expect(out).toBe('ok');
    expect(slept).toEqual([3_000]);
  });
});
