import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ErrorCode, RevokeError } from '../../src/errors.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { createBoxProvider } from '../../src/providers/box/index.js';
import { createHuaweiProvider } from '../../src/providers/huawei-cloud/index.js';
import { createMattermostProvider } from '../../src/providers/mattermost/index.js';
import { SlackApi } from '../../src/providers/slack-admin/client.js';
import { SlackDirectory } from '../../src/providers/slack-admin/directory.js';
import { SlackAdminProvider } from '../../src/providers/slack-admin/provider.js';
import type { AccountLookup, SessionProvider } from '../../src/providers/types.js';
import { parseCommandText } from '../../src/slack/guards/command-text.js';
import { foldEmail, sameEmail } from '../../src/util/email.js';
import { FakeBox } from '../fakes/box.js';
import { type FakeHuawei, HUAWEI_KEYS, startFakeHuawei } from '../fakes/huawei.js';
import { FakeMattermost, MATTERMOST_TOKEN } from '../fakes/mattermost.js';
import { FakeSlack } from '../fakes/slack.js';
import { captureLogs } from '../helpers/capture.js';
import { user } from '../helpers/harness.js';

const REAL = 'kelly@example.com';
/**
 * Addresses that Unicode case mapping or normalisation turns into (or out of) the real one:
 * the Kelvin sign lower-cases to `k`; dotless ı and long ſ upper-case to `I` and `S`;
 * fullwidth letters and ſ become plain ones under NFKC; the dotted İ lower-cases to `i` + U+0307.
 */
const LOOKALIKES = {
  kelvin: '\u212Aelly@example.com',
  dotless: 'kelly@examplı.com',
  longS: 'kelly@example.ſom',
  fullwidth: 'ｋｅｌｌｙ@example.com',
  dottedCapital: 'kelly@\u0130xample.com',
} as const;
const ADDRESSES = Object.values(LOOKALIKES);

const logs: string[] = [];
const logger = () => new RedactingLogger(new Redactor(), 'debug', captureLogs(logs));
const retryPolicy = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxTotalMs: 5_000 };

const idOf = (r: AccountLookup) => (r.status === 'found' ? r.account.id : r.status);

describe('the one email comparison', () => {
  it('folds ASCII case and trims ASCII space only', () => {
    expect(foldEmail('  Kelly@Example.COM\t')).toBe(REAL);
    expect(sameEmail('KELLY@example.com', REAL)).toBe(true);
    for (const address of ADDRESSES) {
      expect(sameEmail(address, REAL)).toBe(false);
      expect(sameEmail(address.toUpperCase(), REAL)).toBe(false);
      expect(foldEmail(address)).toBe(address.replace(/[A-Z]/g, (c) => c.toLowerCase()));
    }
    expect(sameEmail('', '')).toBe(false);
    expect(sameEmail(undefined, undefined)).toBe(false);
  });
});

describe('Unicode lookalikes against every provider’s fake', () => {
  const box = new FakeBox();
  const mm = new FakeMattermost();
  const slack = new FakeSlack({ botToken: 'xoxb-look-1', adminToken: 'xoxp-look-1' });
  let hw: FakeHuawei;
  let hwNoEmails: FakeHuawei;
  const providers = new Map<'box' | 'mattermost' | 'huawei' | 'slack', SessionProvider>();
  const get = (id: 'box' | 'mattermost' | 'huawei' | 'slack'): SessionProvider => {
    const p = providers.get(id);
    if (!p) throw new Error(`${id} was not set up`);
    return p;
  };
  let huaweiNoEmails: SessionProvider;
  let directory: SlackDirectory;

  const huawei = (fake: FakeHuawei) =>
    createHuaweiProvider(
      {
        accessKey: HUAWEI_KEYS.accessKey,
        secretKey: HUAWEI_KEYS.secretKey,
        securityToken: undefined,
        identityStoreId: HUAWEI_KEYS.store,
        region: undefined,
        endpoint: fake.url,
      },
      { logger: logger(), retryPolicy },
    );

  beforeAll(async () => {
    [hw, hwNoEmails] = await Promise.all([startFakeHuawei(), startFakeHuawei()]);
    await Promise.all([box.start(), mm.start(), slack.start()]);
    box.users.push(
      { id: 'box-kelly', login: REAL, name: 'Kelly' },
      ...ADDRESSES.map((login, i) => ({ id: `box-look-${i}`, login, name: 'Kelly' })),
    );
    mm.users.push({ id: 'mm-kelly', email: REAL, username: 'kelly' });
    hw.users.push(
      { user_id: 'hw-kelly', user_name: 'kelly', emails: [{ value: 'Kelly@Example.com' }] },
      ...ADDRESSES.map((value, i) => ({
        user_id: `hw-look-${i}`,
        user_name: `look${i}`,
        emails: [{ value }],
      })),
      // Mallory's account carries Alice's address as its *user name*; its email is Mallory's.
      { user_id: 'hw-mallory', user_name: 'alice@example.com', emails: [{ value: 'mallory@example.com' }] },
      { user_id: 'hw-alice', user_name: 'alice', emails: [{ value: 'alice@example.com' }] },
    );
    // A store synchronised without email attributes: only then is the user name used.
    hwNoEmails.users.push(
      { user_id: 'hw-n-kelly', user_name: 'Kelly@example.com', emails: [] },
      { user_id: 'hw-n-look', user_name: LOOKALIKES.kelvin, emails: [] },
    );
    slack.addUser(user('UKELLY', REAL));
    slack.addUser(user('ULOOK', LOOKALIKES.kelvin));

    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      REVOKE_REQUESTERS: 'U0001',
      ...box.env(),
    });
    if (!config.systems.box) throw new Error('box not configured');
    providers.set('box', createBoxProvider(config.systems.box, { logger: logger(), retryPolicy }));
    providers.set(
      'mattermost',
      createMattermostProvider({ url: mm.url, token: MATTERMOST_TOKEN }, { logger: logger(), retryPolicy }),
    );
    providers.set('huawei', huawei(hw));
    huaweiNoEmails = huawei(hwNoEmails);
    const options = { apiUrl: slack.url, logger: logger(), retryPolicy };
    directory = new SlackDirectory(new SlackApi('xoxb-look-1', { ...options, tokenVar: 'SLACK_BOT_TOKEN' }));
    providers.set(
      'slack',
      new SlackAdminProvider(
        new SlackApi('xoxp-look-1', { ...options, tokenVar: 'SLACK_ADMIN_TOKEN' }),
        directory,
      ),
    );
  });
  afterAll(async () => {
    await Promise.all([box.close(), mm.close(), slack.close(), hw.close(), hwNoEmails.close()]);
  });

  it('Box: the real person is found unambiguously next to every lookalike login', async () => {
    expect(idOf(await get('box').findAccount({ email: REAL }))).toBe('box-kelly');
    expect(idOf(await get('box').findAccount({ email: 'KELLY@example.com' }))).toBe('box-kelly');
    // Each lookalike address is its own account, never Kelly's.
    for (const [i, address] of ADDRESSES.entries()) {
      expect(idOf(await get('box').findAccount({ email: address }))).toBe(`box-look-${i}`);
    }
  });

  it('Mattermost: a lookalike address the server folds onto the real account is not that account', async () => {
    expect(idOf(await get('mattermost').findAccount({ email: REAL }))).toBe('mm-kelly');
    // The fake, like Mattermost, lower-cases with Unicode rules: the Kelvin sign finds Kelly.
    const kelvin = await get('mattermost').findAccount({ email: LOOKALIKES.kelvin });
    expect(kelvin.status).not.toBe('found');
    for (const address of ADDRESSES) {
      expect((await get('mattermost').findAccount({ email: address })).status).not.toBe('found');
    }
  });

  it('Huawei: the real person is found unambiguously; each lookalike only matches its own account', async () => {
    expect(await get('huawei').findAccount({ email: REAL })).toMatchObject({
      status: 'found',
      account: { id: 'hw-kelly' },
    });
    for (const [i, address] of ADDRESSES.entries()) {
      expect(idOf(await get('huawei').findAccount({ email: address }))).toBe(`hw-look-${i}`);
    }
  });

  it('Huawei: a user named alice@… whose email is Mallory’s is not Alice', async () => {
    expect(idOf(await get('huawei').findAccount({ email: 'alice@example.com' }))).toBe('hw-alice');
    expect(idOf(await get('huawei').findAccount({ email: 'mallory@example.com' }))).toBe('hw-mallory');
  });

  it('Huawei: the user name is used only when no user in the store has an email, and exactly', async () => {
    expect(idOf(await huaweiNoEmails.findAccount({ email: REAL }))).toBe('hw-n-kelly');
    expect(idOf(await huaweiNoEmails.findAccount({ email: LOOKALIKES.kelvin }))).toBe('hw-n-look');
    expect(idOf(await huaweiNoEmails.findAccount({ email: LOOKALIKES.fullwidth }))).toBe('not_found');
  });

  it('Slack: a profile email with a Kelvin sign is not folded into the real address', async () => {
    expect((await directory.getUser('ULOOK'))?.email).toBe(LOOKALIKES.kelvin);
    expect((await directory.getUser('UKELLY'))?.email).toBe(REAL);
    // The lookalike's Slack ID with the real address: two different people.
    expect((await get('slack').findAccount({ slackUserId: 'ULOOK', email: REAL })).status).toBe('ambiguous');
    expect((await get('slack').findAccount({ slackUserId: 'UKELLY', email: LOOKALIKES.kelvin })).status).toBe(
      'ambiguous',
    );
    expect(idOf(await get('slack').findAccount({ email: REAL }))).toBe('UKELLY');
  });

  it('Slack: fullwidth, long-s and dotless addresses are nobody, not Kelly', async () => {
    for (const address of [LOOKALIKES.fullwidth, LOOKALIKES.longS, LOOKALIKES.dotless]) {
      expect(idOf(await get('slack').findAccount({ email: address }))).toBe('not_found');
    }
  });
});

describe('Slack lookupByEmail answering with a folded address', () => {
  const slack = new FakeSlack({ botToken: 'xoxb-look-2', adminToken: 'xoxp-look-2' });
  let provider: SlackAdminProvider;
  beforeAll(async () => {
    await slack.start();
    slack.addUser(user('UKELLY', REAL));
    const options = { apiUrl: slack.url, logger: logger(), retryPolicy };
    provider = new SlackAdminProvider(
      new SlackApi('xoxp-look-2', { ...options, tokenVar: 'SLACK_ADMIN_TOKEN' }),
      new SlackDirectory(new SlackApi('xoxb-look-2', { ...options, tokenVar: 'SLACK_BOT_TOKEN' })),
    );
  });
  afterAll(() => slack.close());

  it('refuses the real person when the lookalike address was asked for', async () => {
    // The fake folds with Unicode rules, so the Kelvin-sign address answers with Kelly.
    const error = await provider.findAccount({ email: LOOKALIKES.kelvin }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RevokeError);
    expect((error as RevokeError).code).toBe(ErrorCode.IdentityMismatch);
    expect(slack.callsTo('users.lookupByEmail').at(-1)?.args.email).toBe(LOOKALIKES.kelvin);
  });
});

describe('the slash command’s email argument', () => {
  it('keeps a lookalike address as typed instead of lower-casing it into the real one', () => {
    expect(parseCommandText(LOOKALIKES.kelvin)).toEqual({
      kind: 'open',
      targets: [{ kind: 'email', email: LOOKALIKES.kelvin }],
    });
    expect(parseCommandText('Kelly@Example.com')).toEqual({
      kind: 'open',
      targets: [{ kind: 'email', email: REAL }],
    });
  });
});
