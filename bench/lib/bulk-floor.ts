/**
 * The floor of benchmark 4: the least time a *correct* bulk run can take under the fakes' limits,
 * from the calls such a run needs — not from the calls the app made, so a redundant call shows
 * up as excess instead of raising the floor.
 *
 * Minimum calls, per system (P people, all of them in every system):
 * - one lookup per person (Slack: one users.info, to record the request; the run reuses it when
 *   no approval wait lies between recording and running, as here; Huawei: ListUsers has no email
 *   filter, so one walk of the store, 100 users a page);
 * - the revocation at the vendor's largest documented batch (Slack resetBulk: 1,000 user IDs a
 *   call; Box terminate_sessions takes a list of user IDs and documents no maximum: one call;
 *   the others one person a call; Huawei's batch-delete and Google's grant deletion need the IDs,
 *   so one listing before, and one deletion per person holding any);
 * - one verification pass where the system can list (Slack: the organisation's sessions, paged at
 *   1,000; Mattermost, Huawei, Google's grants: one listing per person; Okta, Entra ID and Box
 *   cannot list);
 * - one access token where the system issues them (Entra ID, Google, Box).
 *
 * Time along the data dependencies: the request is recorded (every users.info) before the run
 * starts; the identity providers run first; the downstream systems start once every identity
 * provider has finished; in Slack the bulk reset comes before the walk, and each page of the walk
 * after the last. A budget of L calls a window needs (ceil(n / L) − 1) full windows between its
 * first and last of n calls; each dependent step adds one call's latency.
 */
import { DELAY_MS, IDP_LIMITS, MINUTE_MS, SLACK_LIMITS, VENDOR_LIMITS } from './bulk-limits.js';

/** Slack's resetBulk takes 1 to 1,000 user IDs (test/contracts/slack). */
export const SLACK_RESET_BULK_MAX = 1_000;
/** admin.users.session.list takes `limit` 1..1,000 (test/contracts/slack). */
export const SLACK_SESSION_PAGE_MAX = 1_000;
/** Huawei ListUsers takes `limit` 1..100 (test/contracts/huawei). */
export const HUAWEI_USERS_PAGE_MAX = 100;

export type FloorSystem = 'okta' | 'entra' | 'google' | 'slack' | 'box' | 'mattermost' | 'huawei';
export const IDPS: readonly FloorSystem[] = ['okta', 'entra', 'google'];
export const DOWNSTREAM: readonly FloorSystem[] = ['box', 'mattermost', 'huawei'];
export const LABEL: Record<FloorSystem, string> = {
  okta: 'Okta',
  entra: 'Entra ID',
  google: 'Google Workspace',
  slack: 'Slack',
  box: 'Box',
  mattermost: 'Mattermost',
  huawei: 'Huawei',
};

/** What the floor depends on besides the number of people. */
export interface FloorInput {
  people: number;
  /** Users in Huawei's identity store (its lookup walks all of them). */
  directoryUsers: number;
  /** Slack sessions the verification walk still finds (people outside the request). */
  sessionsLeftInOrg: number;
  /** People holding at least one Huawei portal session (one batch-delete each). */
  huaweiPeopleWithSessions: number;
  /** OAuth grants the people hold in Google (one deletion each). */
  googleGrants: number;
}

/** One kind of call: a vendor fake's route, or a Slack method. */
export interface MinimumCall {
  system: FloorSystem;
  call: string;
  what: string;
  minimum: number;
}

export function minimumCalls(i: FloorInput): MinimumCall[] {
  const P = i.people;
  const c = (system: FloorSystem, call: string, what: string, minimum: number): MinimumCall => ({
    system,
    call,
    what,
    minimum,
  });
  return [
    c('okta', 'users', 'lookup (search by email)', P),
    c('okta', 'clear_sessions', 'revocation (one person a call)', P),
    c('entra', 'token', 'access token', 1),
    c('entra', 'users', 'lookup', P),
    c('entra', 'revoke', 'revocation (one person a call)', P),
    c('google', 'token', 'access token', 1),
    c('google', 'user', 'lookup', P),
    c('google', 'signOut', 'revocation: sign-out', P),
    c('google', 'tokens', 'grant listing: before deleting + verification', 2 * P),
    c('google', 'tokenDelete', 'revocation: one per grant held', i.googleGrants),
    c('slack', 'users.info', 'lookup, when the request is recorded', P),
    c(
      'slack',
      'admin.users.session.resetBulk',
      `revocation, ${SLACK_RESET_BULK_MAX} a call`,
      Math.ceil(P / SLACK_RESET_BULK_MAX),
    ),
    c(
      'slack',
      'admin.users.session.list',
      `verification: the organisation's sessions, ${SLACK_SESSION_PAGE_MAX} a page`,
      Math.max(1, Math.ceil(i.sessionsLeftInOrg / SLACK_SESSION_PAGE_MAX)),
    ),
    c('box', 'token', 'access token', 1),
    c('box', 'users', 'lookup', P),
    c('box', 'terminate_sessions', 'revocation (a list of user IDs, no documented maximum)', P > 0 ? 1 : 0),
    c('mattermost', 'user_by_email', 'lookup', P),
    c('mattermost', 'revoke_all', 'revocation (one person a call)', P),
    c('mattermost', 'sessions', 'verification', P),
    c(
      'huawei',
      'users',
      `lookup: one walk of the store, ${HUAWEI_USERS_PAGE_MAX} a page`,
      Math.ceil(i.directoryUsers / HUAWEI_USERS_PAGE_MAX),
    ),
    c('huawei', 'sessions', 'listing: before deleting + verification', 2 * P),
    c('huawei', 'batch_delete', 'revocation: one per person holding a session', i.huaweiPeopleWithSessions),
  ];
}

/** Calls per minute each system's (or Slack method's) budget allows. */
export function limitOf(system: FloorSystem, call?: string): number {
  if (system === 'slack') return SLACK_LIMITS[call ?? ''] ?? Number.POSITIVE_INFINITY;
  if (system === 'okta' || system === 'entra' || system === 'google') return IDP_LIMITS[system];
  return VENDOR_LIMITS[system];
}

/** From a budget's first admitted call to its last: every full window before the last batch. */
export function windowsMs(calls: number, perMinute: number): number {
  return Math.max(0, Math.ceil(calls / perMinute) - 1) * MINUTE_MS;
}

/** One system's chain of dependent stages and the least time it can take. */
export interface Chain {
  system: string;
  stages: string[];
  floorMs: number;
}

export interface Floor {
  chains: Chain[];
  /** The longest chain. */
  floor: Chain;
  /** Submission to the request recorded (every users.info). */
  recordMs: number;
  /** Submission to the last identity provider done (the downstream systems' start). */
  idpDoneMs: number;
}

/** The floor along the data dependencies, from the minimum calls. */
export function floorOf(calls: MinimumCall[]): Floor {
  const total = (system: FloorSystem) =>
    calls.filter((c) => c.system === system).reduce((n, c) => n + c.minimum, 0);
  const slack = (method: string) =>
    calls.find((c) => c.system === 'slack' && c.call === method)?.minimum ?? 0;
  const lookups = slack('users.info');
  const ui = limitOf('slack', 'users.info');
  const recordMs = windowsMs(lookups, ui) + DELAY_MS;
  const recorded = `the request recorded (${lookups} Slack users.info at ${ui}/min)`;
  const idpChains: Chain[] = IDPS.map((system) => ({
    system: LABEL[system],
    stages: [recorded, `${total(system)} calls at ${limitOf(system)}/min`],
    floorMs: recordMs + windowsMs(total(system), limitOf(system)) + DELAY_MS,
  }));
  const idpDoneMs = Math.max(recordMs, ...idpChains.map((c) => c.floorMs));
  const bulk = slack('admin.users.session.resetBulk');
  const pages = slack('admin.users.session.list');
  const tier2 = limitOf('slack', 'admin.users.session.list');
  const chains: Chain[] = [
    ...idpChains,
    {
      system: LABEL.slack,
      stages: [
        recorded,
        'the identity providers finished',
        `${bulk} resetBulk`,
        `${pages} page(s) of admin.users.session.list, one after the other`,
      ],
      floorMs:
        idpDoneMs +
        windowsMs(bulk, limitOf('slack', 'admin.users.session.resetBulk')) +
        DELAY_MS +
        windowsMs(pages, tier2) +
        pages * DELAY_MS,
    },
    ...DOWNSTREAM.map((system) => ({
      system: LABEL[system],
      stages: [
        recorded,
        'the identity providers finished',
        `${total(system)} calls at ${limitOf(system)}/min`,
      ],
      floorMs: idpDoneMs + windowsMs(total(system), limitOf(system)) + DELAY_MS,
    })),
  ];
  const floor = chains.reduce((a, b) => (b.floorMs > a.floorMs ? b : a));
  return { chains, floor, recordMs, idpDoneMs };
}

/** The definition above in one paragraph, for the method text. */
export const FLOOR_TEXT = [
  'The floor is the least time a correct run can take under these limits, computed from the calls such a run needs, not from the calls the app made (so a redundant call shows as excess in the table of calls rather than raising the floor):',
  'one lookup per person (Slack: the users.info that records the request — with no approval wait between recording and running, the run needs no second one; Huawei: one walk of its store, 100 users a page, as ListUsers has no email filter);',
  'the revocation at each vendor’s largest documented batch (Slack resetBulk 1,000 user IDs a call; Box terminate_sessions takes a list of user IDs with no documented maximum, so one call; Okta, Entra ID, Google and Mattermost one person a call; Huawei’s batch-delete and Google’s grant deletions need the IDs, so one listing before them, and one deletion per person holding any);',
  'one verification pass where the system can list (Slack: the organisation’s sessions, paged at the largest page of 1,000; Mattermost, Huawei and Google’s grants: one listing per person; Okta, Entra ID and Box cannot list); and one access token where the system issues them (Entra ID, Google, Box).',
  'Along the data dependencies: the request is recorded (every users.info) before the run starts; the identity providers run first and the downstream systems once every identity provider has finished; in Slack the bulk reset comes before the walk, and each page after the last.',
  `A budget of L calls a window needs (ceil(n / L) − 1) full windows between its first and last of n calls; each dependent step adds one call’s latency (every vendor call takes ${DELAY_MS} ms); the floor is the longest system’s chain.`,
].join(' ');
