import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { createProviders } from '../../src/providers/index.js';
import type { SessionProvider } from '../../src/providers/types.js';
import { mapLimit } from '../../src/util/limit.js';
import { FakeBox } from '../fakes/box.js';
import { FakeHuawei } from '../fakes/huawei.js';
import { FakeMattermost } from '../fakes/mattermost.js';
import type { FakeVendor } from '../fakes/vendor.js';
import { captureLogs } from '../helpers/capture.js';

const PEOPLE = 12;

/**
 * Each vendor fake enforces a rate limit and answers 429 as its vendor documents it; the
 * providers wait as told and every lookup still succeeds (the fakes benchmark 4 uses).
 */
describe('vendor rate limits', () => {
  const box = new FakeBox();
  const mm = new FakeMattermost();
  const hw = new FakeHuawei();
  const logs: string[] = [];
  let providers: Map<string, SessionProvider>;

  beforeAll(async () => {
    await Promise.all([box.start(), mm.start(), hw.start()]);
    for (let i = 0; i < PEOPLE; i++) {
      const email = `p${i}@example.com`;
      box.users.push({ id: `b${i}`, login: email, name: `P${i}` });
      mm.users.push({ id: `m${i}`, email, username: `p${i}` });
      hw.users.push({ user_id: `h${i}`, user_name: `p${i}`, emails: [{ value: email }] });
    }
    const config = loadConfig({ ...box.env(), ...mm.env(), ...hw.env() }, { requireSlack: false });
    providers = createProviders(config, {
      logger: new RedactingLogger(new Redactor(), 'debug', captureLogs(logs)),
      retryPolicy: { maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 50, maxTotalMs: 20_000 },
    }) as Map<string, SessionProvider>;
  });
  afterAll(() => Promise.all([box.close(), mm.close(), hw.close()]));

  async function raw(fake: FakeVendor, path: string, headers: Record<string, string> = {}) {
    fake.limitRate(1, 2_000);
    await fetch(`${fake.url}${path}`, { headers });
    const res = await fetch(`${fake.url}${path}`, { headers });
    fake.limitRate(Number.MAX_SAFE_INTEGER, 1);
    return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  }

  it('answer 429 with each vendor’s own body and headers, Retry-After in whole seconds', async () => {
    const b = await raw(box, '/2.0/users');
    expect(b).toMatchObject({ status: 429, headers: { 'retry-after': '2' } });
    expect(JSON.parse(b.body)).toMatchObject({ type: 'error', status: 429, code: 'rate_limit_exceeded' });
    const m = await raw(mm, '/api/v4/users/me');
    expect(m).toMatchObject({
      status: 429,
      body: 'limit exceeded\n',
      headers: { 'x-ratelimit-limit': '1', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2' },
    });
    const h = await raw(hw, '/v1/identity-stores/d-0123456789/users');
    expect(h.status).toBe(429);
    expect(JSON.parse(h.body)).toMatchObject({ error_code: 'APIGW.0308' });
  });

  it.each([
    ['box', box],
    ['mattermost', mm],
    ['huawei', hw],
  ] as const)('%s: every lookup succeeds under a limit of 4 requests a second', async (id, fake) => {
    fake.limitRate(4, 1_000);
    const before = fake.rateLimited;
    const provider = providers.get(id);
    if (!provider) throw new Error(`${id} not configured`);
    const found = await mapLimit(
      Array.from({ length: PEOPLE }, (_, i) => i),
      4,
      (i) => provider.findAccount({ email: `p${i}@example.com` }),
    );
    expect(found.map((f) => f.status)).toEqual(Array(PEOPLE).fill('found'));
    // Huawei reads its user list once for all of them, so it never reaches the limit.
    if (id !== 'huawei') expect(fake.rateLimited).toBeGreaterThan(before);
    fake.limitRate(Number.MAX_SAFE_INTEGER, 1);
  });
});
