import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeBox } from '../fakes/box.js';
import { FakeHuawei } from '../fakes/huawei.js';
import { FakeMattermost } from '../fakes/mattermost.js';
import { FakeSlack } from '../fakes/slack.js';
import { captureSqliteAudit } from '../helpers/capture.js';
import { SECRETS, user } from '../helpers/harness.js';
import { cli, events } from './run.js';

describe('break-glass CLI', () => {
  const fake = new FakeSlack({ botToken: SECRETS.bot, adminToken: SECRETS.admin });
  const dir = mkdtempSync(join(tmpdir(), 'revoke-cli-db-'));
  let env: Record<string, string>;
  beforeAll(async () => {
    await fake.start();
    fake.addUser(user('UALICE', 'alice@example.com')).addUser(user('UBOB', 'bob@example.com'));
    env = {
      SLACK_BOT_TOKEN: SECRETS.bot,
      SLACK_ADMIN_TOKEN: SECRETS.admin,
      SLACK_API_URL: fake.url,
      DATABASE_URL: `sqlite:${join(dir, 'cli.db')}`,
    };
  });
  beforeEach(() => {
    fake.sessions = [
      {
        user_id: 'UALICE',
        session_id: 1,
        team_id: 'T1',
        created: { os: 'Mac', ip: '10.0.0.1' },
        kind: 'desktop',
      },
      { user_id: 'UBOB', session_id: 2, team_id: 'T1', created: { os: 'iOS' }, kind: 'mobile' },
    ];
  });
  afterAll(async () => {
    await fake.close();
    captureSqliteAudit(`sqlite:${join(dir, 'cli.db')}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints help, and refuses bad usage with exit code 2', async () => {
    expect((await cli(['--help'], env)).code).toBe(0);
    expect((await cli(['frobnicate'], env)).code).toBe(2);
    expect((await cli(['revoke', 'alice@example.com', '--yes'], env)).stderr).toMatch(/--reason is required/);
    expect(
      (await cli(['revoke', 'alice@example.com', '--reason', 'x', '--systems', 'gitlab'], env)).code,
    ).toBe(2);
    const bad = await cli(['doctor'], { ...env, SLACK_ADMIN_TOKEN: 'xoxb-not-a-user-token' });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/^FAIL\s+configuration\s+SLACK_ADMIN_TOKEN is malformed/);
    expect(bad.stdout + bad.stderr).not.toContain('not-a-user-token');
  });

  it('doctor passes with good credentials and fails, naming the fix, with bad ones', async () => {
    const ok = await cli(['doctor'], env);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/PASS\s+Slack admin token/);
    expect(ok.stdout).not.toMatch(/FAIL/);
    const json = JSON.parse((await cli(['doctor', '--json'], env)).stdout) as {
      ok: boolean;
      checks: unknown[];
    };
    expect(json.ok).toBe(true);
    const wrong = await cli(['doctor'], { ...env, SLACK_ADMIN_TOKEN: 'xoxp-9-9-wrongwrongwrong' });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/FAIL\s+Slack admin token.*SLACK_ADMIN_TOKEN/);
    expect(wrong.stdout + wrong.stderr).not.toContain('wrongwrongwrong');
  });

  it('lists a person’s sessions, human and --json', async () => {
    const human = await cli(['sessions', 'alice@example.com'], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Slack: alice@example.com — 1 session/);
    const json = JSON.parse((await cli(['sessions', 'UALICE', '--json'], env)).stdout) as {
      systems: { sessions: unknown[] }[];
    };
    expect(json.systems[0]?.sessions).toHaveLength(1);
  });

  it('does nothing on --dry-run, or without --yes when there is no terminal', async () => {
    expect((await cli(['revoke', 'alice@example.com', '--reason', 'test', '--dry-run'], env)).code).toBe(0);
    const noTty = await cli(['revoke', 'alice@example.com', '--reason', 'test'], env);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/--yes/);
    expect(fake.callsTo('admin.users.session.reset')).toHaveLength(0);
  });

  it('revokes with --yes, records the OS user and reason, and exits 0', async () => {
    const run = await cli(
      ['revoke', 'alice@example.com', '--reason', 'Slack is down, INC-77', '--yes', '--json'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const [result] = JSON.parse(run.stdout) as { id: string; status: string; steps: { state: string }[] }[];
    expect(result?.status).toBe('done');
    // stderr streams one JSON event per step under --json (stdout stays the result).
    const step = events(run.stderr).find((e) => e.event === 'step');
    expect(step).toMatchObject({
      system: 'slack',
      person: 'alice@example.com',
      state: 'revoked',
      done: 1,
      total: 1,
    });
    expect(fake.sessions.map((s) => s.session_id)).toEqual([2]);
    const status = await cli(['status', result?.id ?? ''], env);
    expect(status.stdout).toContain(`${userInfo().username}@`);
    expect(status.stdout).toContain('Slack is down, INC-77');
    const audit = JSON.parse((await cli(['audit', '--json', '--user', userInfo().username], env)).stdout) as {
      action: string;
    }[];
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['request_created', 'approval_bypassed']),
    );
  });

  it('shows what the world was told: status lists a request’s outbox effects, doctor counts the failed ones', async () => {
    const [id] = (
      JSON.parse(
        (await cli(['revoke', 'alice@example.com', '--reason', 'INC-78', '--yes', '--json'], env)).stdout,
      ) as {
        id: string;
      }[]
    ).map((r) => r.id);
    const store = new SqliteStore(env.DATABASE_URL?.slice('sqlite:'.length) ?? '');
    try {
      const at = new Date().toISOString();
      await store.addEffects([{ kind: 'requester_note', key: `note:${id}`, requestId: id }], at);
      // No app delivers here: its results thread's effects (written by the run) are delivered by
      // hand, then the note fails for good.
      for (;;) {
        const [effect] = await store.claimEffects('t', at, new Date(Date.now() + 60_000).toISOString(), 1);
        if (!effect) break;
        const failed = effect.kind === 'requester_note';
        await store.settleEffect(
          effect.id,
          't',
          failed ? { failed: 'channel_not_found' } : { done: true },
          at,
        );
      }
    } finally {
      await store.close();
    }
    const status = await cli(['status', id ?? ''], env);
    expect(status.stdout.split('\n')).toContain(
      '  effect requester_note: FAILED after 1 attempt(s) (channel_not_found)',
    );
    const json = JSON.parse((await cli(['status', id ?? '', '--json'], env)).stdout) as {
      effects: unknown[];
    };
    expect(json.effects).toContainEqual({
      kind: 'requester_note',
      state: 'failed',
      attempts: 1,
      lastError: 'channel_not_found',
    });
    expect(json.effects).toContainEqual({ kind: 'thread_parent', state: 'done', attempts: 1 });
    const doctor = await cli(['doctor'], env);
    expect(doctor.stdout).toMatch(/outbox: 0 effect\(s\) waiting; 1 effect\(s\) .* FAILED for good/);
  });

  it('exits 1 when a system fails', async () => {
    fake.failNext('admin.users.session.reset', { error: 'not_an_admin' });
    const run = await cli(['revoke', 'bob@example.com', '--reason', 'test', '--yes'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/FAILED.*not an Org Admin/);
  });

  it('audit verify passes, then catches an edited row', async () => {
    const ok = await cli(['audit', 'verify'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK: \d+ audit records/);
    const head = /Head .*: (\d+:[0-9a-f]{64})/.exec(ok.stdout)?.[1] ?? '';
    expect(head).not.toBe('');
    expect((await cli(['audit', 'verify', '--anchor', head], env)).code).toBe(0);
    expect((await cli(['audit', 'verify', '--anchor', 'nonsense'], env)).code).toBe(2);
    // Cutting the newest record off leaves a valid chain; only the anchor notices.
    const seq = Number(head.split(':')[0]);
    const cut = new Database(join(dir, 'cli.db'));
    cut.exec('DROP TRIGGER IF EXISTS audit_log_no_delete');
    cut.prepare('DELETE FROM audit_log WHERE seq = ?').run(seq);
    cut.close();
    expect((await cli(['audit', 'verify'], env)).code).toBe(0);
    const truncated = await cli(['audit', 'verify', '--anchor', head], env);
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toMatch(new RegExp(`TAMPERED: anchored record ${seq} is gone`));
    const db = new Database(join(dir, 'cli.db'));
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare('UPDATE audit_log SET data = \'{"reason":"nothing to see"}\' WHERE seq = 1').run();
    db.close();
    const bad = await cli(['audit', 'verify'], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/TAMPERED: record 1 was changed/);
  });
});

describe('break-glass CLI with every system and no Slack at all', () => {
  const box = new FakeBox();
  const mm = new FakeMattermost();
  const hw = new FakeHuawei();
  const dir = mkdtempSync(join(tmpdir(), 'revoke-cli-all-'));
  let env: Record<string, string>;
  beforeAll(async () => {
    await Promise.all([box.start(), mm.start(), hw.start()]);
    box.users.push({ id: 'b1', login: 'alice@example.com', name: 'Alice' });
    mm.users.push({ id: 'm1', email: 'alice@example.com', username: 'alice' });
    mm.sessions = [{ id: 'ms1', user_id: 'm1', token: 'T', create_at: 1, last_activity_at: 2 }];
    hw.users.push({ user_id: 'h1', user_name: 'alice', emails: [{ value: 'alice@example.com' }] });
    hw.sessions = [{ session_id: 'hs1', user_id: 'h1', creation_time: 1753858567 }];
    env = { ...box.env(), ...mm.env(), ...hw.env(), DATABASE_URL: `sqlite:${join(dir, 'cli.db')}` };
  });
  afterAll(async () => {
    await Promise.all([box.close(), mm.close(), hw.close()]);
    captureSqliteAudit(`sqlite:${join(dir, 'cli.db')}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('doctor checks Box /users/me, Mattermost /users/me and a signed Huawei call', async () => {
    const ok = await cli(['doctor'], env);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/PASS\s+Box\s+token issued/);
    expect(ok.stdout).toMatch(/PASS\s+Mattermost\s+token accepted/);
    expect(ok.stdout).toMatch(/PASS\s+Huawei Cloud\s+signed request accepted/);
    expect(box.requestsTo('me').length).toBeGreaterThan(0);
    const bad = await cli(['doctor', '--json'], { ...env, HUAWEI_SECRET_KEY: 'wrong-secret-key-value' });
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as {
      ok: boolean;
      checks: { name: string; ok: boolean; detail: string }[];
    };
    expect(report.checks.find((c) => c.name === 'Huawei Cloud')).toMatchObject({ ok: false });
    expect(bad.stdout).not.toContain('wrong-secret-key-value');
  });

  it('revokes across Box, Mattermost and Huawei without any Slack token', async () => {
    const run = await cli(['revoke', 'alice@example.com', '--reason', 'Slack is compromised', '--yes'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Box\s+QUEUED/);
    expect(box.terminated).toEqual(['b1']);
    expect(mm.sessions).toEqual([]);
    expect(hw.sessions).toEqual([]);
  });

  it('exits 1 for a person no system knows (a mistyped email is not a success)', async () => {
    const run = await cli(['revoke', 'alcie@example.com', '--reason', 'Slack is compromised', '--yes'], env);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/No account for alcie@example\.com in any system: nothing was revoked/);
    expect(run.stderr).toMatch(/Box\s+NO_ACCOUNT/);
  });
});
