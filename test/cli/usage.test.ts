import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMattermost } from '../fakes/mattermost.js';
import { cli } from './run.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('CLI usage: --version, help, and bad usage is exit 2', () => {
  const mm = new FakeMattermost();
  const dir = mkdtempSync(join(tmpdir(), 'revoke-cli-usage-'));
  let env: Record<string, string>;
  beforeAll(async () => {
    await mm.start();
    mm.users.push({ id: 'm1', email: 'alice@example.com', username: 'alice' });
    mm.sessions = [{ id: 'ms1', user_id: 'm1', token: 'T', create_at: 1, last_activity_at: 2 }];
    env = { ...mm.env(), DATABASE_URL: `sqlite:${join(dir, 'cli.db')}` };
  });
  afterAll(async () => {
    await mm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--version prints the package version and exits 0', async () => {
    const run = await cli(['--version'], {});
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
    const mixed = await cli(['--version', 'doctor'], {});
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--version stands alone/);
  });

  it('help, help <command> and <command> --help print help on stdout and exit 0', async () => {
    const all = await cli(['help'], {});
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^revoke-sessions — the break-glass CLI/);
    for (const name of ['sessions', 'revoke', 'doctor', 'audit', 'audit verify', 'status'])
      expect(all.stdout).toContain(`revoke-sessions ${name}`);
    const one = await cli(['help', 'revoke'], {});
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^Usage: revoke-sessions revoke <email\|slack-user-id>\.\.\. --reason R/);
    const flag = await cli(['revoke', '--help'], {});
    expect(flag.code).toBe(0);
    expect(flag.stdout).toBe(one.stdout);
    const verify = await cli(['audit', 'verify', '--help'], {});
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^Usage: revoke-sessions audit verify \[--anchor SEQ:HASH\]/);
    expect((await cli(['--help'], {})).stdout).toBe(all.stdout);
  });

  it('no command prints the usage on stderr and exits 2', async () => {
    const run = await cli([], {});
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^revoke-sessions — the break-glass CLI/);
  });

  it.each([
    [['frobnicate'], /^Unknown command "frobnicate"\./],
    [['help', 'nope'], /^help: no command "nope"\./],
    [['doctor', 'extra'], /^doctor takes no arguments; unexpected: "extra"\./],
    [['sessions'], /^sessions needs one email or Slack user ID\./],
    [
      ['sessions', 'a@example.com', 'b@example.com'],
      /^sessions takes one email or Slack user ID; unexpected: "b@example.com"\./,
    ],
    [['sessions', 'not-an-email'], /^"not-an-email" is neither an email nor a Slack user ID/],
    [['status'], /^status needs one request ID\./],
    [['status', 'r-1', 'r-2'], /^status takes one request ID; unexpected: "r-2"\./],
    [['audit', 'everything'], /^audit takes no arguments \(or "verify"\); unexpected: "everything"\./],
    [['audit', 'verify', 'now'], /^audit verify takes no arguments; unexpected: "now"\./],
    [['doctor', '--reason', 'why'], /^doctor does not take --reason\./],
    [['audit', 'verify', '--user', 'alice'], /^audit verify does not take --user\./],
    [['doctor', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['revoke'], /^revoke needs at least one email or Slack user ID\./],
    [
      ['revoke', 'alice@example.com', '--reason', 'x', '--systems', 'gitlab'],
      /^--systems takes a comma list/,
    ],
    [['revoke', 'alice@example.com', '--reason', 'why', '--web-only', '--mobile-only'], /exclude each other/],
  ])('%j is bad usage: exit 2 with the reason and the usage', async (args, message) => {
    const run = await cli(args, env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/Usage: revoke-sessions|^revoke-sessions — the break-glass CLI/m);
  });

  it.each([
    ['', /^--reason is required/],
    ['x', /^--reason must say why, in at least 3 characters besides spaces/],
    [' a  b ', /^--reason must say why, in at least 3 characters besides spaces/],
    ['y'.repeat(1_001), /^Keep --reason under 1000 characters\./],
  ])('revoke --reason %j is refused with exit 2 and nothing is touched', async (reason, message) => {
    const before = mm.requests.length;
    const run = await cli(['revoke', 'alice@example.com', '--reason', reason, '--yes'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(mm.requests.length).toBe(before);
    expect(mm.sessions.map((s) => s.id)).toEqual(['ms1']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a reason of three characters is enough (the dry run shows the sessions and writes nothing)', async () => {
    const run = await cli(['revoke', 'alice@example.com', '--reason', 'abc', '--dry-run'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Mattermost: alice@example.com — 1 session/);
    expect(run.stderr).toMatch(/Dry run: nothing was revoked\./);
    expect(mm.sessions.map((s) => s.id)).toEqual(['ms1']);
    expect(existsSync(join(dir, 'cli.db'))).toBe(false);
  });
});
