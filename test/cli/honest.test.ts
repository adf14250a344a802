import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMattermost } from '../fakes/mattermost.js';
import { emptySchema } from '../helpers/pg-schema.js';
import { cli, type DoctorReport, deadPort, doctorLines } from './run.js';

describe('CLI with no system configured: an error, exit 2, nothing done', () => {
  const dir = mkdtempSync(join(tmpdir(), 'revoke-cli-none-'));
  const env = { DATABASE_URL: `sqlite:${join(dir, 'data', 'cli.db')}` };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('doctor: a FAIL configuration line, every line PASS/FAIL, exit 2; --json is one document', async () => {
    const run = await cli(['doctor'], env);
    expect(run.code).toBe(2);
    const lines = doctorLines(run.stdout);
    expect(lines.map((l) => l.verdict).filter((v) => v !== 'PASS' && v !== 'FAIL')).toEqual([]);
    const config = lines.find((l) => l.name === 'configuration');
    expect(config?.verdict).toBe('FAIL');
    expect(config?.detail).toMatch(/no system is configured/);
    const json = await cli(['doctor', '--json'], env);
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout) as DoctorReport;
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'configuration')).toMatchObject({ ok: false });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('sessions and revoke --yes: a clear error, exit 2, no store created, nothing audited', async () => {
    const sessions = await cli(['sessions', 'alice@example.com'], env);
    expect(sessions.code).toBe(2);
    expect(sessions.stdout).toBe('');
    expect(sessions.stderr).toMatch(
      /^No system is configured, so there is nothing to check, list or revoke\./,
    );
    const revoke = await cli(['revoke', 'alice@example.com', '--reason', 'INC-1 test', '--yes'], env);
    expect(revoke.code).toBe(2);
    expect(revoke.stdout).toBe('');
    expect(revoke.stderr).toMatch(/^No system is configured/);
    expect(revoke.stderr).not.toMatch(/done/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an invalid configuration is a FAIL line under doctor (and JSON under --json), exit 2', async () => {
    const bad = { ...env, MATTERMOST_URL: 'not a url', MATTERMOST_TOKEN: 'mm-token-value-123456' };
    const run = await cli(['doctor'], bad);
    expect(run.code).toBe(2);
    const [line, ...others] = doctorLines(run.stdout);
    expect(line).toMatchObject({ verdict: 'FAIL', name: 'configuration' });
    expect(line?.detail).toMatch(/MATTERMOST_URL is malformed/);
    expect(others).toEqual([]);
    const json = JSON.parse((await cli(['doctor', '--json'], bad)).stdout) as DoctorReport;
    expect(json).toMatchObject({ ok: false, checks: [{ name: 'configuration', ok: false }] });
    expect(run.stdout + run.stderr).not.toContain('mm-token-value-123456');
  });
});

describe('CLI read-only commands never create a database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'revoke-cli-ro-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [['audit']],
    [['audit', 'verify']],
    [['status', 'r-123']],
  ])('%j with a mistyped SQLite path: an error naming the path, exit 2, no file', async (args) => {
    const missing = join(dir, 'no-such-folder', 'typo.db');
    const run = await cli(args, { DATABASE_URL: `sqlite:${missing}` });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`No database at ${missing} (DATABASE_URL)`);
    expect(run.stderr).not.toMatch(/OK: 0 audit records/);
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });

  it('a relative path is resolved and named; an empty or foreign file is not taken for an audit log', async () => {
    const run = await cli(['audit', 'verify'], { DATABASE_URL: 'sqlite:./data/typo.db' }, undefined, dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`No database at ${join(dir, 'data', 'typo.db')}`);
    expect(existsSync(join(dir, 'data'))).toBe(false);
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    const foreign = await cli(['audit', 'verify'], { DATABASE_URL: `sqlite:${empty}` });
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain(`${empty}, which is not a revoke-sessions database`);
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const notFile = await cli(['status', 'r-1'], { DATABASE_URL: `sqlite:${folder}` });
    expect(notFile.code).toBe(2);
    expect(notFile.stderr).toContain(`${folder}, which is not a file`);
  });
});

describe('CLI with PostgreSQL down: the error names DATABASE_URL, never the password', () => {
  const mm = new FakeMattermost();
  let url: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    await mm.start();
    url = `postgres://revoker:pg-password-not-to-print@127.0.0.1:${await deadPort()}/revoke`;
    env = { ...mm.env(), DATABASE_URL: url };
  });
  afterAll(async () => {
    await mm.close();
  });

  it('audit verify and status exit 1 naming DATABASE_URL (no bare ECONNREFUSED)', async () => {
    for (const args of [['audit', 'verify'], ['status', 'r-1'], ['audit']]) {
      const run = await cli(args, env);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /^Error: Cannot reach the PostgreSQL database named by DATABASE_URL \(postgres:\/\/127\.0\.0\.1:\d+\/revoke\): connection refused/,
      );
      expect(run.stdout + run.stderr).not.toContain('pg-password-not-to-print');
    }
  });

  it('doctor: a FAIL store line beside the PASS lines, valid JSON under --json, exit 1', async () => {
    const run = await cli(['doctor'], env);
    expect(run.code).toBe(1);
    const lines = doctorLines(run.stdout);
    expect(lines.map((l) => l.verdict).filter((v) => v !== 'PASS' && v !== 'FAIL')).toEqual([]);
    expect(lines.find((l) => l.name === 'store (DATABASE_URL)')).toMatchObject({ verdict: 'FAIL' });
    expect(lines.find((l) => l.name === 'store (DATABASE_URL)')?.detail).toMatch(/DATABASE_URL/);
    expect(lines.find((l) => l.name === 'Mattermost')).toMatchObject({ verdict: 'PASS' });
    const json = await cli(['doctor', '--json'], env);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as DoctorReport;
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'store (DATABASE_URL)')).toMatchObject({ ok: false });
    expect(report.checks.find((c) => c.name === 'configuration')).toMatchObject({ ok: true });
    expect(run.stdout + json.stdout + run.stderr + json.stderr).not.toContain('pg-password-not-to-print');
  });

  it('revoke --yes stops before any vendor is asked, naming DATABASE_URL', async () => {
    const run = await cli(['revoke', 'alice@example.com', '--reason', 'INC-9 test', '--yes'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^Error: DATABASE_URL: PostgreSQL (did not answer|refused the connection or the migration) \(/,
    );
    expect(mm.requests.filter((r) => r.path.startsWith('/api/v4/users/email'))).toEqual([]);
  });
});

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

describe.skipIf(!TEST_DATABASE_URL)('CLI with a reachable PostgreSQL database', () => {
  const db = emptySchema('cli_empty');

  it('audit verify on a database without revoke-sessions tables: exit 2, and no table is created', async () => {
    const run = await cli(['audit', 'verify'], { DATABASE_URL: db.url() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /has no revoke-sessions tables: point DATABASE_URL at the database the app uses/,
    );
    expect(await db.tables()).toEqual([]);
  });
});
