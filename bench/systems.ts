/**
 * The four systems as local fakes (test/fakes), each answering after a fixed
 * delay — the set-up benchmark 2 uses, and the one benchmarks 3 (approval to
 * done over four systems at 200 ms) and 4 (bulk, 1,000 people) can reuse:
 *
 *   const systems = await startSystems({ delayMs: 200, calls: 10_000 });
 *   systems.addPerson('alice', 'UALICE');
 *   const app = startChild(tsxArgs('app-server.ts'), { env: systems.env(dbFile), … });
 *   …
 *   await systems.close();
 */

import type { SystemId } from '../src/providers/registry.js';
import { FakeBox } from '../test/fakes/box.js';
import { FakeEntra } from '../test/fakes/entra.js';
import { FakeGoogle } from '../test/fakes/google.js';
import { FakeHuawei } from '../test/fakes/huawei.js';
import { FakeMattermost } from '../test/fakes/mattermost.js';
import { FakeOkta } from '../test/fakes/okta.js';
import { FakeSlack } from '../test/fakes/slack.js';
import type { FakeVendor } from '../test/fakes/vendor.js';
import { SECRETS, user } from '../test/helpers/harness.js';
import { sleep } from './lib/wait.js';
import { appEnv } from './slack-payloads.js';

/** Every route of each vendor fake these benchmarks use (the names test/fakes give them). */
const ROUTES: { readonly [K in Exclude<SystemId, 'slack'>]?: readonly string[] } = {
  okta: ['me', 'users', 'clear_sessions'],
  entra: ['token', 'users', 'revoke'],
  google: ['token', 'user', 'signOut', 'tokens', 'tokenDelete'],
  box: ['token', 'users', 'me', 'terminate_sessions'],
  mattermost: ['me', 'user_by_email', 'sessions', 'revoke_all', 'revoke'],
  huawei: ['users', 'sessions', 'batch_delete'],
};

export interface SystemsOptions {
  /** How long every vendor call takes (Slack: `slowSlackMethods` only). */
  delayMs: number;
  /** Upper bound of calls per vendor route that get the delay (a queue of faults per route). */
  calls: number;
  /** Slack methods that wait `delayMs` (default: the lookups and the admin methods). */
  slowSlackMethods?: ReadonlySet<string>;
  /** Called for every Slack call before it is answered (e.g. to time `views.open`). */
  onSlackCall?: (method: string, args: Record<string, unknown>) => void;
}

export const DEFAULT_SLOW_SLACK = new Set([
  'users.info',
  'users.lookupByEmail',
  'admin.users.session.list',
  'admin.users.session.reset',
  'admin.users.session.resetBulk',
  'admin.users.session.invalidate',
]);

export interface Systems {
  slack: FakeSlack;
  box: FakeBox;
  mm: FakeMattermost;
  hw: FakeHuawei;
  /** The identity providers. */
  okta: FakeOkta;
  entra: FakeEntra;
  google: FakeGoogle;
  /** How many Slack calls were delayed so far. */
  delayedSlackCalls(): number;
  /** Vendor (Box, Mattermost, Huawei) requests so far. */
  vendorRequests(): number;
  /** A person in every system, with one Slack session. */
  addPerson(name: string, slackId: string): void;
  /** The app's environment: every system, HTTP mode, this SQLite file. */
  env(databaseFile: string): Record<string, string>;
  close(): Promise<void>;
}

/** Makes the next `n` calls of every route of a vendor fake wait `ms` (then answer normally). */
function slowDown(fake: FakeVendor, routes: readonly string[], n: number, ms: number): void {
  for (const route of routes) fake.failNext(route, ...Array.from({ length: n }, () => ({ delayMs: ms })));
}

export async function startSystems(o: SystemsOptions): Promise<Systems> {
  const slack = new FakeSlack({
    botToken: SECRETS.bot,
    adminToken: SECRETS.admin,
    memberChannels: ['C0SEC', 'C0APPROVE'],
  });
  const box = new FakeBox();
  const mm = new FakeMattermost();
  const hw = new FakeHuawei();
  const okta = new FakeOkta();
  const entra = new FakeEntra();
  const google = new FakeGoogle();
  const vendors: { readonly [K in keyof typeof ROUTES]?: FakeVendor & { env(): Record<string, string> } } = {
    okta,
    entra,
    google,
    box,
    mattermost: mm,
    huawei: hw,
  };
  const fakes = Object.values(vendors).filter((f) => f !== undefined);
  for (const [id, fake] of Object.entries(vendors)) {
    slowDown(fake, ROUTES[id as keyof typeof ROUTES] ?? [], o.calls, o.delayMs);
  }
  const slow = o.slowSlackMethods ?? DEFAULT_SLOW_SLACK;
  let delayed = 0;
  slack.beforeAnswer = async (method, args) => {
    o.onSlackCall?.(method, args);
    if (slow.has(method)) {
      delayed += 1;
      await sleep(o.delayMs);
    }
    return false;
  };
  await Promise.all([slack.start(), ...fakes.map((f) => f.start())]);
  let sessionSeq = 1_000;
  return {
    slack,
    box,
    mm,
    hw,
    okta,
    entra,
    google,
    delayedSlackCalls: () => delayed,
    vendorRequests: () => fakes.reduce((n, f) => n + f.requests.length, 0),
    addPerson(name, slackId) {
      const email = `${name}@example.com`;
      slack.addUser(user(slackId, email));
      slack.sessions.push({
        user_id: slackId,
        session_id: sessionSeq++,
        team_id: 'T1',
        created: { device_hardware: 'Mac', os: 'macOS', ip: '10.0.0.1' },
        kind: 'desktop',
      });
      box.users.push({ id: `box-${name}`, login: email, name });
      mm.users.push({ id: `mm-${name}`, email, username: name });
      hw.users.push({ user_id: `hw-${name}`, user_name: name, emails: [{ value: email }] });
      okta.users.push({
        id: `00u${name}`,
        status: 'ACTIVE',
        login: email,
        email,
        sessions: ['s'],
        oauthTokens: [],
      });
      entra.users.push({
        id: `en-${name}`,
        displayName: name,
        mail: email,
        userPrincipalName: email,
        accountEnabled: true,
      });
      google.users.push({ id: `g-${name}`, primaryEmail: email, fullName: name });
    },
    env: (databaseFile) => Object.assign(appEnv(slack.url, databaseFile), ...fakes.map((f) => f.env())),
    close: async () => {
      await Promise.all([slack.close(), ...fakes.map((f) => f.close())]);
    },
  };
}
