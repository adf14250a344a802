import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeBox } from '../fakes/box.js';
import { FakeMattermost } from '../fakes/mattermost.js';
import { FakeSlack } from '../fakes/slack.js';
import { captureSqliteAudit } from '../helpers/capture.js';
import { SECRETS, user } from '../helpers/harness.js';
import { cli, deadPort, events } from './run.js';

/**
 * The break-glass CLI in the one situation it exists for: the documented `.env` (bot and admin
 * tokens set) and Slack down. People are looked up by email in each system, Slack is reported
 * as not done, every other system goes on, and the exit code says "partly done" (3).
 */
describe('break-glass CLI with Slack down', () => {
  const box = new FakeBox();
  const mm = new FakeMattermost();
  const slack = new FakeSlack({ botToken: SECRETS.bot, adminToken: SECRETS.admin });
  const dir = mkdtempSync(join(tmpdir(), 'revoke-cli-noslack-'));
  const db = join(dir, 'cli.db');
  let down: Record<string, string>;
  let up: Record<string, string>;

  beforeAll(async () => {
    await Promise.all([box.start(), mm.start(), slack.start()]);
    box.users.push({ id: 'b1', login: 'alice@example.com', name: 'Alice' });
    mm.users.push({ id: 'm1', email: 'alice@example.com', username: 'alice' });
    slack.addUser(user('UALICE', 'alice@example.com'));
    const tokens = { SLACK_BOT_TOKEN: SECRETS.bot, SLACK_ADMIN_TOKEN: SECRETS.admin };
    const shared = { ...box.env(), ...mm.env(), ...tokens, DATABASE_URL: `sqlite:${db}` };
    down = { ...shared, SLACK_API_URL: `http://127.0.0.1:${await deadPort()}/api/` };
    up = { ...shared, SLACK_API_URL: slack.url };
  });
  beforeEach(() => {
    mm.sessions = [{ id: 'ms1', user_id: 'm1', token: 'T', create_at: 1, last_activity_at: 2 }];
  });
  afterAll(async () => {
    await Promise.all([box.close(), mm.close(), slack.close()]);
    captureSqliteAudit(`sqlite:${db}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sessions: every other system answers, Slack is reported as not asked, exit 3', async () => {
    const run = await cli(['sessions', 'alice@example.com'], down);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toMatch(/^Mattermost: alice@example.com — 1 session\(s\)$/m);
    expect(run.stdout).toMatch(/^Box: alice@example.com — cannot list sessions/m);
    expect(run.stdout).toMatch(
      /^Slack: NOT ASKED — Slack could not be reached \(Could not reach Slack for auth\.test/m,
    );
    expect(run.stderr).not.toMatch(/Error:/);
  });

  it('revoke --systems mattermost --dry-run: a preview by email, a note about Slack, exit 0', async () => {
    const run = await cli(
      [
        'revoke',
        'alice@example.com',
        '--systems',
        'mattermost',
        '--reason',
        'INC-20 Slack is down',
        '--dry-run',
      ],
      down,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /Note: Slack could not be reached .*; people are looked up by email in each system directly\./,
    );
    expect(run.stderr).toMatch(/Mattermost: alice@example.com — 1 session/);
    expect(run.stderr).toMatch(/Dry run: nothing was revoked\./);
    expect(mm.sessions).toHaveLength(1);
  });

  it('revoke --yes: Mattermost and Box are done, Slack is NOT DONE and on record, exit 3', async () => {
    const run = await cli(['revoke', 'alice@example.com', '--reason', 'INC-20 Slack is down', '--yes'], down);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(
      /^Slack: NOT DONE — Slack could not be reached \(Could not reach Slack for auth\.test/m,
    );
    expect(run.stderr).toMatch(/^\s+Mattermost\s+REVOKED/m);
    expect(run.stderr).toMatch(/^\s+Box\s+QUEUED/m);
    expect(run.stderr).toMatch(
      /^\s+Slack\s+NOT DONE\s+Slack could not be reached .*run this again with --systems slack/m,
    );
    expect(mm.sessions).toEqual([]);
    expect(box.terminated).toEqual(['b1']);
    const id = /-- (r-[\w-]+): revoking/.exec(run.stderr)?.[1] ?? '';
    const store = new SqliteStore(db);
    try {
      const request = await store.getRequest(id);
      expect(request?.systems).toEqual(['box', 'mattermost']);
      expect(request?.target).toEqual({ email: 'alice@example.com' });
      const bypass = (await store.listAudit({ requestId: id })).find((a) => a.action === 'approval_bypassed');
      const notDone = (bypass?.data as { notDone?: { system: string; why: string }[] }).notDone;
      expect(notDone?.map((n) => n.system)).toEqual(['slack']);
      expect(notDone?.[0]?.why).toMatch(/^Slack could not be reached/);
    } finally {
      await store.close();
    }
  });

  it('--json: the event stream says Slack was left out, and the result lists it as not done', async () => {
    const run = await cli(
      [
        'revoke',
        'alice@example.com',
        '--systems',
        'slack,mattermost',
        '--reason',
        'INC-20 json',
        '--yes',
        '--json',
      ],
      down,
    );
    expect(run.code, run.stderr).toBe(3);
    const stream = events(run.stderr);
    expect(stream[0]).toMatchObject({ event: 'slack_left_out', notDone: true });
    expect(stream.filter((e) => e.event === 'step').map((e) => [e.system, e.state])).toEqual([
      ['mattermost', 'revoked'],
    ]);
    const [result] = JSON.parse(run.stdout) as { notDone: { system: string }[]; status: string }[];
    expect(result?.status).toBe('done');
    expect(result?.notDone.map((n) => n.system)).toEqual(['slack']);
  });

  it('a Slack user ID cannot be looked up without Slack: say to use the email, nothing done', async () => {
    const run = await cli(['revoke', 'UALICE', '--reason', 'INC-20 by id', '--yes'], down);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /UALICE is a Slack user ID, and Slack is not used now .*: name the person by email\./,
    );
    expect(mm.sessions).toHaveLength(1);
  });

  it('--no-slack never calls Slack, even when it is up; leaving a configured Slack out is partly done', async () => {
    const before = slack.calls.length;
    const all = await cli(
      ['revoke', 'alice@example.com', '--no-slack', '--reason', 'INC-20 no slack', '--yes'],
      up,
    );
    expect(all.code, all.stderr).toBe(3);
    expect(all.stderr).toMatch(/^Slack: NOT DONE — left out with --no-slack\./m);
    mm.sessions = [{ id: 'ms2', user_id: 'm1', token: 'T', create_at: 1, last_activity_at: 2 }];
    const some = await cli(
      [
        'revoke',
        'alice@example.com',
        '--no-slack',
        '--systems',
        'mattermost',
        '--reason',
        'INC-20 no slack',
        '--yes',
      ],
      up,
    );
    expect(some.code, some.stderr).toBe(0);
    expect(mm.sessions).toEqual([]);
    expect(slack.calls.length).toBe(before);
    const both = await cli(
      ['revoke', 'alice@example.com', '--no-slack', '--systems', 'slack', '--reason', 'x y z'],
      up,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--no-slack and --systems slack exclude each other/);
  });
});
