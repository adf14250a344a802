/**
 * Every system's fake behind one shape, keyed by the registry's ids: the demo, the provider
 * contract suite, the test tables and the benchmarks take their systems from here. A system in
 * the registry without an entry here does not typecheck.
 */
import type { ProviderDeps } from '../providers/descriptor.js';
import type { SystemId } from '../providers/registry.js';
import { SlackApi } from '../providers/slack-admin/client.js';
import { SlackDirectory } from '../providers/slack-admin/directory.js';
import { BOX_CREDENTIALS, FakeBox } from './box.js';
import { ENTRA_CREDENTIALS, FakeEntra } from './entra.js';
import { FakeGoogle, GOOGLE_TOKEN_PREFIX } from './google.js';
import { FakeHuawei, HUAWEI_KEYS } from './huawei.js';
import { FakeMattermost, MATTERMOST_TOKEN } from './mattermost.js';
import { FakeOkta, OKTA_TOKEN, oktaRateLimitHeaders } from './okta.js';
import { FAKE_SLACK_TOKENS, FakeSlack, fakeUser } from './slack.js';
import type { Fault } from './vendor.js';

/** A person to seed: `name` makes the ids, `sessions` how many live sessions they have. */
export interface SeedPerson {
  name: string;
  email: string;
  sessions: number;
  deactivated?: boolean;
  /** Where and when the sessions were last used (the demo shows them; tests leave the minimal ones). */
  seen?: { ip: string; at: Date } | undefined;
}

/** What the contract suite can make the next call of an operation answer. */
export type ContractFault =
  | { kind: 'status'; status: 401 | 403 | 404 | 500 | 503 }
  | { kind: 'rate_limited'; seconds: number }
  | { kind: 'timeout'; delayMs: number };

/** One system's fake, driven the same way whatever the vendor. */
export interface FakeSystem {
  readonly id: SystemId;
  /** The vendor routes (or Slack methods) of finding a person, revoking all, revoking chosen ones. */
  readonly routes: { lookup: string; revokeAll: string; revokeChosen?: string | undefined };
  start(): Promise<void>;
  close(): Promise<void>;
  /** The environment that configures the system against this fake. */
  env(): Record<string, string>;
  /** Credentials of this fake: none may ever appear in an error, a log line or an outcome. */
  readonly secrets: readonly string[];
  /** Extra provider dependencies (Slack: the bot token's directory). */
  deps(base: ProviderDeps): ProviderDeps;
  /** Seeds a person; returns their account id in the system. */
  addPerson(person: SeedPerson): string;
  /** Seeds a second account that makes `email` ambiguous; returns how the lookup must come out. */
  makeAmbiguous(email: string, name: string): { person: { email: string; slackUserId?: string } };
  /** The person's live session ids, as the provider reports them. */
  liveSessions(name: string): string[];
  /** Whether a revoke-all for the person reached the vendor (ended, or accepted as a job). */
  revokedAll(name: string): boolean;
  /** Makes the next call of a route fail as the vendor documents it (its own body and headers). */
  fail(route: string, fault: ContractFault): void;
  /** How many calls a route received. */
  calls(route: string): number;
  /** The base URL of the fake. */
  url(): string;
}

/** A fault as the HTTP fakes take it: each fake's own error body; the vendor's rate-limit header. */
function httpFault(
  fault: ContractFault,
  rateLimitHeaders: (seconds: number) => Record<string, string>,
): Fault {
  if (fault.kind === 'status') return { status: fault.status };
  // The answer comes (and the call takes effect) only after the caller gave up.
  if (fault.kind === 'timeout') return { delayMs: fault.delayMs };
  return { status: 429, headers: rateLimitHeaders(fault.seconds) };
}

/** FakeGoogle as a {@link FakeSystem} (a test passes one that checks the vendor's contract). */
export function googleSystem(fake = new FakeGoogle()): FakeSystem {
  const ids = new Map<string, string>();
  let seq = 1;
  const body = fake.keys.privatePem.split('\n').find((l) => l.length > 40) ?? fake.keys.privatePem;
  return {
    id: 'google',
    // The grants are this system's sessions: deleting one is "revoke chosen".
    routes: { lookup: 'user', revokeAll: 'signOut', revokeChosen: 'tokenDelete' },
    start: async () => {
      await fake.start();
    },
    close: () => fake.close(),
    env: () => fake.env(),
    secrets: [fake.keys.privatePem, body, GOOGLE_TOKEN_PREFIX],
    deps: (base) => base,
    addPerson(p) {
      const id = `g-${p.name}`;
      ids.set(p.name, id);
      fake.users.push({ id, primaryEmail: p.email, fullName: p.name, suspended: p.deactivated ?? false });
      for (let i = 0; i < p.sessions; i++) {
        fake.grants.push({
          userId: id,
          clientId: `${100_000 + seq}.apps.googleusercontent.com`,
          displayText: `App ${seq++}`,
          scopes: ['openid', 'email'],
        });
      }
      return id;
    },
    makeAmbiguous(email, name) {
      // Google folds case with Unicode rules: a Kelvin-sign K account answers a `k…` address.
      fake.users.push({ id: `g-${name}`, primaryEmail: `\u212A${email.slice(1)}`, fullName: name });
      return { person: { email: `k${email.slice(1)}` } };
    },
    liveSessions: (name) => fake.grants.filter((g) => g.userId === ids.get(name)).map((g) => g.clientId),
    revokedAll: (name) =>
      fake.signedOut.includes(ids.get(name) ?? '') && !fake.grants.some((g) => g.userId === ids.get(name)),
    // Google sends Retry-After with some 429s; without it the client backs off (google.test.ts).
    fail: (route, fault) =>
      fake.failNext(
        route,
        httpFault(fault, (s) => ({ 'retry-after': String(s) })),
      ),
    calls: (route) => fake.requestsTo(route).length,
    url: () => fake.url,
  };
}

/** FakeSlack as a {@link FakeSystem} (a test passes one that checks the vendor's contract). */
export function slackSystem(
  fake = new FakeSlack({ botToken: FAKE_SLACK_TOKENS.bot, adminToken: FAKE_SLACK_TOKENS.admin }),
): FakeSystem {
  const ids = new Map<string, string>();
  let seq = 100;
  return {
    id: 'slack',
    routes: {
      lookup: 'users.lookupByEmail',
      revokeAll: 'admin.users.session.reset',
      revokeChosen: 'admin.users.session.invalidate',
    },
    start: async () => {
      await fake.start();
    },
    close: () => fake.close(),
    env: () => ({ SLACK_ADMIN_TOKEN: FAKE_SLACK_TOKENS.admin, SLACK_API_URL: fake.url }),
    secrets: [FAKE_SLACK_TOKENS.admin, FAKE_SLACK_TOKENS.bot],
    deps: (base) => ({
      ...base,
      directory: new SlackDirectory(
        new SlackApi(FAKE_SLACK_TOKENS.bot, {
          apiUrl: fake.url,
          logger: base.logger,
          tokenVar: 'SLACK_BOT_TOKEN',
          retryPolicy: base.retryPolicy,
          sleep: base.sleep,
        }),
      ),
    }),
    addPerson(p) {
      const id = `U${p.name.toUpperCase()}`;
      ids.set(p.name, id);
      fake.addUser(fakeUser(id, p.email, p.deactivated ? { deleted: true } : {}));
      for (let i = 0; i < p.sessions; i++) {
        fake.sessions.push({
          user_id: id,
          session_id: seq++,
          team_id: 'T1',
          created: { os: 'Mac', ...(p.seen ? { ip: p.seen.ip, device_hardware: 'MacBook Pro' } : {}) },
          kind: 'desktop',
        });
      }
      return id;
    },
    makeAmbiguous(email, name) {
      // Slack emails are unique: ambiguity is a Slack user ID whose email is someone else's.
      const id = `U${name.toUpperCase()}`;
      fake.addUser(fakeUser(id, `other-${email}`));
      return { person: { email, slackUserId: id } };
    },
    liveSessions: (name) =>
      fake.sessions.filter((s) => s.user_id === ids.get(name)).map((s) => `${s.session_id}@${s.team_id}`),
    revokedAll: (name) =>
      fake.callsTo('admin.users.session.reset').some((c) => c.args.user_id === ids.get(name)) &&
      !fake.sessions.some((s) => s.user_id === ids.get(name)),
    fail(route, fault) {
      if (fault.kind === 'rate_limited') fake.failNext(route, { status: 429, retryAfter: fault.seconds });
      else if (fault.kind === 'timeout') fake.failNext(route, { delayMs: fault.delayMs });
      else {
        // Slack answers HTTP 200 `ok:false` with its own codes; only server errors are HTTP statuses.
        const codes = { 401: 'invalid_auth', 403: 'not_an_admin', 404: 'user_not_found' } as const;
        if (fault.status >= 500) fake.failNext(route, { status: fault.status });
        else fake.failNext(route, { error: codes[fault.status as 401 | 403 | 404] });
      }
    },
    calls: (route) => fake.callsTo(route).length,
    url: () => fake.url,
  };
}

/** FakeBox as a {@link FakeSystem} (a test passes one that checks the vendor's contract). */
export function boxSystem(fake = new FakeBox()): FakeSystem {
  const ids = new Map<string, string>();
  return {
    id: 'box',
    routes: { lookup: 'users', revokeAll: 'terminate_sessions' },
    start: async () => {
      await fake.start();
    },
    close: () => fake.close(),
    env: () => fake.env(),
    secrets: [BOX_CREDENTIALS.clientSecret],
    deps: (base) => base,
    addPerson(p) {
      const id = `box-${p.name}`;
      ids.set(p.name, id);
      fake.users.push({ id, login: p.email, name: p.name });
      return id;
    },
    makeAmbiguous(email, name) {
      fake.users.push({ id: `box-${name}`, login: email.toUpperCase(), name });
      return { person: { email } };
    },
    liveSessions: () => [],
    revokedAll: (name) => fake.terminated.includes(ids.get(name) ?? ''),
    fail: (route, fault) =>
      fake.failNext(
        route,
        httpFault(fault, (s) => ({ 'retry-after': String(s) })),
      ),
    calls: (route) => fake.requestsTo(route).length,
    url: () => fake.url,
  };
}

/** FakeMattermost as a {@link FakeSystem} (a test passes one that checks the vendor's contract). */
export function mattermostSystem(fake = new FakeMattermost()): FakeSystem {
  let seq = 1;
  return {
    id: 'mattermost',
    routes: { lookup: 'user_by_email', revokeAll: 'revoke_all', revokeChosen: 'revoke' },
    start: async () => {
      await fake.start();
    },
    close: () => fake.close(),
    env: () => fake.env(),
    secrets: [MATTERMOST_TOKEN],
    deps: (base) => base,
    addPerson(p) {
      const id = `mm-${p.name}`;
      fake.users.push({ id, email: p.email, username: p.name, ...(p.deactivated ? { delete_at: 1 } : {}) });
      for (let i = 0; i < p.sessions; i++) {
        fake.sessions.push({
          id: `mm-s${seq}`,
          user_id: id,
          token: `mm-session-token-${seq++}`,
          create_at: p.seen ? p.seen.at.getTime() - 3_600_000 : 1,
          last_activity_at: p.seen ? p.seen.at.getTime() : 2,
          ...(p.seen ? { props: { browser: 'Chrome', platform: 'Macintosh', os: 'Mac OS' } } : {}),
        });
      }
      return id;
    },
    makeAmbiguous(email, name) {
      // Mattermost lower-cases with Unicode rules: a Kelvin-sign K account answers a `k…` address.
      fake.users.push({ id: `mm-${name}`, email: `\u212A${email.slice(1)}`, username: name });
      return { person: { email: `k${email.slice(1)}` } };
    },
    liveSessions: (name) => fake.sessions.filter((s) => s.user_id === `mm-${name}`).map((s) => s.id),
    revokedAll: (name) =>
      fake.requestsTo('revoke_all').some((r) => r.path.includes(`/users/mm-${name}/`)) &&
      !fake.sessions.some((s) => s.user_id === `mm-${name}`),
    // Mattermost's limiter says when its window resets in X-Ratelimit-Reset, without Retry-After.
    fail: (route, fault) =>
      fake.failNext(
        route,
        httpFault(fault, (s) => ({
          'x-ratelimit-limit': '10',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(s),
        })),
      ),
    calls: (route) => fake.requestsTo(route).length,
    url: () => fake.url,
  };
}

/** FakeHuawei as a {@link FakeSystem} (a test passes one that checks the vendor's contract). */
export function huaweiSystem(fake = new FakeHuawei()): FakeSystem {
  let seq = 1;
  return {
    id: 'huawei',
    routes: { lookup: 'users', revokeAll: 'batch_delete', revokeChosen: 'batch_delete' },
    start: async () => {
      await fake.start();
    },
    close: () => fake.close(),
    env: () => fake.env(),
    secrets: [HUAWEI_KEYS.secretKey],
    deps: (base) => base,
    addPerson(p) {
      const id = `hw-${p.name}`;
      fake.users.push({ user_id: id, user_name: p.name, emails: [{ value: p.email }] });
      for (let i = 0; i < p.sessions; i++) {
        fake.sessions.push({
          session_id: `hw-s${seq++}`,
          user_id: id,
          creation_time: p.seen ? Math.floor(p.seen.at.getTime() / 1000) - 3600 : 1_700_000_000,
          ...(p.seen ? { ip_address: p.seen.ip, user_agent: 'Mozilla/5.0 (Macintosh) Chrome' } : {}),
        });
      }
      return id;
    },
    makeAmbiguous(email, name) {
      fake.users.push({ user_id: `hw-${name}`, user_name: name, emails: [{ value: email }] });
      return { person: { email } };
    },
    liveSessions: (name) => fake.sessions.filter((s) => s.user_id === `hw-${name}`).map((s) => s.session_id),
    revokedAll: (name) =>
      fake.requestsTo('batch_delete').some((r) => r.path.includes(`/users/hw-${name}/`)) &&
      !fake.sessions.some((s) => s.user_id === `hw-${name}`),
    fail: (route, fault) =>
      fake.failNext(
        route,
        httpFault(fault, (s) => ({ 'retry-after': String(s) })),
      ),
    calls: (route) => fake.requestsTo(route).length,
    url: () => fake.url,
  };
}

/** FakeEntra as a {@link FakeSystem} (a test passes one that checks the vendor's contract). */
export function entraSystem(fake = new FakeEntra()): FakeSystem {
  const ids = new Map<string, string>();
  let seq = 1;
  const guid = () => `00000000-0000-4000-8000-${String(seq++).padStart(12, '0')}`;
  return {
    id: 'entra',
    routes: { lookup: 'users', revokeAll: 'revoke' },
    start: async () => {
      await fake.start();
    },
    close: () => fake.close(),
    env: () => fake.env(),
    // The access tokens it issued are credentials as well.
    get secrets() {
      return [ENTRA_CREDENTIALS.clientSecret, ...fake.issuedTokens()];
    },
    deps: (base) => base,
    addPerson(p) {
      const id = guid();
      ids.set(p.name, id);
      fake.users.push({
        id,
        displayName: p.name,
        mail: p.email,
        userPrincipalName: `${p.name}@contoso.onmicrosoft.com`,
        accountEnabled: !p.deactivated,
      });
      return id;
    },
    makeAmbiguous(email, name) {
      // Another user whose sign-in name is the person's email (mail is not unique across the two).
      fake.users.push({
        id: guid(),
        displayName: name,
        mail: null,
        userPrincipalName: email,
        accountEnabled: true,
      });
      return { person: { email } };
    },
    liveSessions: () => [],
    revokedAll: (name) => fake.revoked.includes(ids.get(name) ?? ''),
    fail: (route, fault) =>
      fake.failNext(
        route,
        httpFault(fault, (s) => ({ 'retry-after': String(s) })),
      ),
    calls: (route) => fake.requestsTo(route).length,
    url: () => fake.url,
  };
}

/** FakeOkta as a {@link FakeSystem} (a test passes one that checks the vendor's contract). */
export function oktaSystem(fake = new FakeOkta()): FakeSystem {
  const id = (name: string) => `00u${name}`;
  let seq = 1;
  return {
    id: 'okta',
    routes: { lookup: 'users', revokeAll: 'clear_sessions' },
    start: async () => {
      await fake.start();
    },
    close: () => fake.close(),
    env: () => fake.env(),
    secrets: [OKTA_TOKEN],
    deps: (base) => base,
    addPerson(p) {
      const sessions = Array.from({ length: p.sessions }, () => `102okta-s${seq++}`);
      fake.users.push({
        id: id(p.name),
        status: p.deactivated ? 'DEPROVISIONED' : 'ACTIVE',
        login: p.email,
        email: p.email,
        firstName: p.name,
        sessions,
        oauthTokens: [],
      });
      return id(p.name);
    },
    makeAmbiguous(email, name) {
      // profile.email is not unique in Okta: another user (another login) may carry the same address.
      fake.users.push({
        id: id(name),
        status: 'ACTIVE',
        login: `${name}@corp.example.net`,
        email,
        sessions: [],
        oauthTokens: [],
      });
      return { person: { email } };
    },
    // Okta lists no sessions: the provider reports none, whatever the fake holds.
    liveSessions: () => [],
    revokedAll: (name) =>
      fake.cleared.some((c) => c.userId === id(name) && c.oauthTokens) &&
      (fake.users.find((u) => u.id === id(name))?.sessions.length ?? 0) === 0,
    fail: (route, fault) =>
      fake.failNext(
        route,
        httpFault(fault, (s) => oktaRateLimitHeaders(s)),
      ),
    calls: (route) => fake.requestsTo(route).length,
    url: () => fake.url,
  };
}

/** A fresh, unstarted fake per system, in the registry's order. */
export const FAKE_SYSTEMS: { readonly [K in SystemId]: () => FakeSystem } = {
  okta: oktaSystem,
  entra: entraSystem,
  google: googleSystem,
  slack: slackSystem,
  box: boxSystem,
  mattermost: mattermostSystem,
  huawei: huaweiSystem,
};
