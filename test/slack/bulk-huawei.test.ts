import { afterEach, describe, expect, it } from 'vitest';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { createHuaweiProvider } from '../../src/providers/huawei-cloud/index.js';
import type { Account } from '../../src/providers/types.js';
import { FakeHuawei, HUAWEI_KEYS } from '../fakes/huawei.js';
import { cardStatus } from '../helpers/blocks.js';
import { captureLogs } from '../helpers/capture.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

const PEOPLE = Array.from({ length: 40 }, (_, i) => `UH${String(i + 1).padStart(4, '0')}`);
const DIRECTORY = 250;
/** Every session listing and batch-delete takes this long: the run lasts well past the walk's TTL. */
const SLOW_MS = 60;

/**
 * Huawei's ListUsers has no email filter, so a lookup reads the whole user list; a bulk request
 * must read it once for everyone, not again each time the shared walk has expired between
 * people (the walk answers for a second after it ends).
 */
describe('bulk revocation in Huawei Cloud', () => {
  let h: Harness;
  let hw: FakeHuawei;
  afterEach(async () => {
    await h.close();
    await hw.close();
  });

  it(
    'looks everyone up in one walk of the user list, then revokes and verifies each person',
    {
      timeout: 60_000,
    },
    async () => {
      hw = new FakeHuawei();
      await hw.start();
      for (let i = 0; i < DIRECTORY - PEOPLE.length; i++)
        hw.users.push({
          user_id: `hw-other${i}`,
          user_name: `other${i}`,
          emails: [{ value: `o${i}@example.com` }],
        });
      hw.sessions.push({ session_id: 'hw-keep', user_id: 'hw-other0', creation_time: 1753858567 });
      for (const id of PEOPLE) {
        const email = `${id.toLowerCase()}@example.com`;
        hw.users.push({ user_id: `hw-${id}`, user_name: id.toLowerCase(), emails: [{ value: email }] });
        hw.sessions.push(
          { session_id: `${id}-a`, user_id: `hw-${id}`, creation_time: 1753858567 },
          { session_id: `${id}-b`, user_id: `hw-${id}`, creation_time: 1753858567 },
        );
      }
      const slow = Array.from({ length: 4 * PEOPLE.length }, () => ({ delayMs: SLOW_MS }));
      hw.failNext('sessions', ...slow);
      hw.failNext('batch_delete', ...slow);

      h = await startHarness(hw.env());
      for (const id of PEOPLE) h.slack.addUser(user(id, `${id.toLowerCase()}@example.com`));
      const values = formValues({ target: PEOPLE[0], systems: ['huawei'] });
      values.more_targets = {
        more_targets_selected: { type: 'multi_users_select', selected_users: PEOPLE.slice(1) },
      };
      expect((await h.interact(submission(values))).status).toBe(200);
      await h.slack.waitFor(
        () => h.slack.messages.find((m) => !m.thread_ts && /Finished/.test(cardStatus(m.blocks) ?? '')),
        45_000,
      );

      // The outcome is shown before it is recorded (by design): wait for the recorded state.
      const request = await h.slack.waitFor(async () => {
        const [r] = await h.app.store.listRequestsForTarget(PEOPLE[0] ?? '', 1);
        return r && r.status !== 'running' ? r : undefined;
      });
      expect(request?.status).toBe('done');
      const steps = await h.app.store.listSteps(request?.id ?? '');
      expect(steps).toHaveLength(PEOPLE.length);
      expect(steps.every((s) => s.state === 'revoked' && s.result?.remaining === 0)).toBe(true);
      expect(hw.sessions.map((s) => s.session_id)).toEqual(['hw-keep']);

      // One walk: 250 users at 100 a page is 3 pages, for all 40 lookups.
      expect(hw.requestsTo('users')).toHaveLength(Math.ceil(DIRECTORY / 100));
      // Then each person: list, batch-delete, list again to verify.
      expect(hw.requestsTo('batch_delete')).toHaveLength(PEOPLE.length);
      expect(hw.requestsTo('sessions')).toHaveLength(2 * PEOPLE.length);
      expect(hw.violations).toEqual([]);
      const audit = await h.app.store.listAudit({ requestId: request?.id });
      expect(audit.some((a) => a.action === 'bulk_started')).toBe(true);
    },
  );

  it('one account refused by the bulk call is that account’s outcome only', async () => {
    hw = new FakeHuawei();
    await hw.start();
    h = await startHarness();
    const accounts: Account[] = ['a', 'b', 'c', 'd', 'e'].map((n) => ({
      system: 'huawei',
      id: `hw-${n}`,
      login: n,
    }));
    for (const a of accounts) hw.sessions.push({ session_id: `${a.id}-s`, user_id: a.id, creation_time: 1 });
    hw.failNext('batch_delete', { status: 403, body: { error_code: 'IIC.403', error_msg: 'Forbidden.' } });
    const provider = createHuaweiProvider(
      {
        accessKey: HUAWEI_KEYS.accessKey,
        secretKey: HUAWEI_KEYS.secretKey,
        securityToken: undefined,
        identityStoreId: HUAWEI_KEYS.store,
        region: undefined,
        endpoint: hw.url,
      },
      { logger: new RedactingLogger(new Redactor(), 'debug', captureLogs()) },
    );
    const out = await provider.revokeAllBulk?.(accounts, { scope: 'all' });
    const outcomes = [...(out?.values() ?? [])];
    expect(outcomes).toHaveLength(5);
    expect(outcomes.filter((o) => o instanceof Error)).toHaveLength(1);
    expect(outcomes.filter((o) => !(o instanceof Error) && o.state === 'revoked')).toHaveLength(4);
    expect(hw.sessions).toHaveLength(1);
  });
});
