/** Signed Slack requests and the fake directory the benchmarks use. */
import type { FakeSlack } from '../test/fakes/slack.js';
import { SECRETS, user } from '../test/helpers/harness.js';
import { commandBody, interactionBody } from '../test/helpers/slack-signing.js';
import type { LoadRequest } from './lib/load.js';
import { slackHeaders } from './lib/signing.js';

export const FORM = 'application/x-www-form-urlencoded';
/** How many views the fake Slack pre-creates for block actions (one per request). */
export const BENCH_VIEWS = 20_000;

/** The requester UREQ, the target UALICE (with three sessions), both in team T1. */
export function seedDirectory(fake: FakeSlack): void {
  fake.addUser(user('UREQ', 'bob@example.com'));
  fake.addUser(user('UALICE', 'alice@example.com'));
  fake.sessions = [101, 102, 103].map((id, i) => ({
    user_id: 'UALICE',
    session_id: id,
    team_id: 'T1',
    created: { device_hardware: 'Mac', os: 'macOS', ip: `10.0.0.${i + 1}` },
    kind: (['desktop', 'mobile', 'web'] as const)[i] ?? 'desktop',
  }));
}

/** The environment for the real app pointed at a fake Slack (HTTP mode, SQLite file). */
export function appEnv(slackApiUrl: string, databaseFile: string): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: SECRETS.bot,
    SLACK_SIGNING_SECRET: SECRETS.signing,
    SLACK_ADMIN_TOKEN: SECRETS.admin,
    SLACK_API_URL: slackApiUrl,
    PORT: '0',
    REVOKE_REQUESTERS: 'UREQ',
    DATABASE_URL: `sqlite:${databaseFile}`,
    LOG_LEVEL: 'info',
    // The fakes here have no rate limits unless a benchmark sets them (the bulk ones do, and give
    // the app the same limits): the app's own budgets, which would hold previews past Slack's
    // 100 users.info a minute, are off so the figures are the app's own cost.
    REVOKE_RATE_LIMITS: 'off',
  };
}

function signed(body: string): LoadRequest {
  return { path: '/slack/events', body, headers: slackHeaders(SECRETS.signing, body, FORM) };
}

/**
 * `/revoke-sessions <text>` from UREQ with a unique trigger id; `responseUrl` defaults to the
 * tests' unreachable one (benchmark 1 points it at a local server to see the busy messages).
 */
export function command(text: string, triggerId: string, responseUrl?: string): LoadRequest {
  return signed(
    commandBody({ text, trigger_id: triggerId, ...(responseUrl ? { response_url: responseUrl } : {}) }),
  );
}

/** The person picker of the request modal changed to UALICE (view `VBENCH<i>`). */
export function targetSelected(i: number): LoadRequest {
  const viewId = `VBENCH${i % BENCH_VIEWS}`;
  return signed(
    interactionBody({
      type: 'block_actions',
      user: { id: 'UREQ', name: 'bob', team_id: 'T1' },
      team: { id: 'T1', domain: 'acme' },
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: `bench-action-${i}`,
      container: { type: 'view', view_id: viewId },
      view: {
        id: viewId,
        team_id: 'T1',
        type: 'modal',
        callback_id: 'revoke_request',
        private_metadata: '{"c":"C0SEC"}',
        hash: 'h0',
        blocks: [],
        state: { values: {} },
      },
      actions: [
        {
          type: 'users_select',
          action_id: 'target_user',
          block_id: 'target',
          selected_user: 'UALICE',
          action_ts: '1700000000.1',
        },
      ],
    }),
  );
}
