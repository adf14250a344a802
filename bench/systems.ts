/**
 * The seven systems as local fakes (test/fakes), each answering after a fixed
 * delay — the set-up benchmark 2 uses, and the one benchmarks 3 (approval to
 * done at 200 ms a call) and 4 (bulk, 1,000 people) reuse. It also counts which
 * requests each fake answered rather than refused (its rate limit), per route:
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
import type { FakeVendor, Received } from '../test/fakes/vendor.js';
import { SECRETS, user } from '../test/helpers/harness.js';
import { sleep } from './lib/wait.js';
import { appEnv } from './slack-payloads.js';

/** Every route of each vendor fake these benchmarks use (the names test/fakes give them). */
export const ROUTES: { readonly [K in Exclude<SystemId, 'slack'>]?: readonly string[] } = {
  okta: ['me', 'users', 'clear_sessions'],
  entra: ['token', 'users', 'revoke'],
  google: ['token', 'user', 'signOut', 'tokens', 'tokenDelete'],
  box: ['token', 'users', 'me', 'terminate_sessions'],
  mattermost: ['me', 'user_by_email', 'sessions', 'revoke_all', 'revoke'],
  huawei: ['users', 'sessions', 'batch_delete'],
};

export type VendorId = keyof typeof ROUTES;

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
  /** Whether a fake answered this request (false: refused by its rate limit). */
  admitted(request: Received): boolean;
  /**
   * Whether the fake Slack answered this call (its recorded `args`; false: refused by a rate limit).
   * Counted in `beforeAnswer`, so only while a benchmark keeps the one set here.
   */
  slackAdmitted(args: Record<string, unknown>): boolean;
  /** Requests each route of a vendor fake answered (not refused), by route name. */
  admittedByRoute(system: VendorId): ReadonlyMap<string, number>;
  /** Calls the fake Slack answered (not refused), by method. */
  slackAdmittedByMethod(): ReadonlyMap<string, number>;
  /** A vendor fake by its registry id. */
  vendor(system: VendorId): FakeVendor;
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
  // A request reaches a route's handler (and its hook) only once the rate limit let it through.
  const admitted = new WeakSet<Received | Record<string, unknown>>();
  const byRoute = new Map<VendorId, Map<string, number>>();
  const bump = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
  for (const [id, fake] of Object.entries(vendors)) {
    slowDown(fake, ROUTES[id as VendorId] ?? [], o.calls, o.delayMs);
    const counts = new Map<string, number>();
    byRoute.set(id as VendorId, counts);
    fake.hook = (route, when, req) => {
      if (when === 'before') {
        admitted.add(req);
        bump(counts, route);
      }
      return false;
    };
  }
  const slow = o.slowSlackMethods ?? DEFAULT_SLOW_SLACK;
  let delayed = 0;
  const slackCounts = new Map<string, number>();
  slack.beforeAnswer = async (method, args) => {
    admitted.add(args);
    bump(slackCounts, method);
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
    admitted: (request) => admitted.has(request),
    slackAdmitted: (args) => admitted.has(args),
    admittedByRoute: (system) => byRoute.get(system) ?? new Map(),
    slackAdmittedByMethod: () => slackCounts,
    vendor: (system) => {
      const fake = vendors[system];
      if (!fake) throw new Error(`no fake for ${system}`);
      return fake;
    },
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
