import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_VARS, loadConfig } from '../../src/config.js';
import { SYSTEMS } from '../../src/providers/registry.js';
import { cli, doctorLines } from '../cli/run.js';
import { FAKE_SYSTEMS, type FakeSystem } from '../fakes/systems.js';
import { configProblems } from '../helpers/config-problems.js';

const dir = mkdtempSync(join(tmpdir(), 'revoke-secret-files-'));
let n = 0;
/** A file holding `content` (as a secret platform writes it: with a trailing line break). */
function file(content: string): string {
  const path = join(dir, `secret-${++n}`);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** An RS256 signing key's file (the transmitter's; not a secret variable itself, but a file). */
const signingKeyFile = file(
  String(
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
  ),
);

/** The shared secrets, each with a value its schema accepts. */
const SHARED: Record<string, string> = {
  SLACK_BOT_TOKEN: 'xoxb-test-bot-token-from-a-file-made-up',
  SLACK_SIGNING_SECRET: 'signing-secret-from-a-file-0123',
  SLACK_APP_TOKEN: 'xapp-1-test-app-token-from-a-file-made-up',
  REVOKE_API_TOKEN: 'api-token-from-a-file-0123456789abcdef',
  METRICS_TOKEN: 'metrics-token-from-a-file-0123',
  AUDIT_WEBHOOK_SECRET: 'audit-webhook-secret-from-a-file-0123456789',
  DATABASE_URL: 'postgres://revoke:p%23ss-from-file@db.internal:5432/revoke',
  SLACK_AUDIT_TOKEN: 'xoxp-test-audit-token-from-a-file-made-up',
  SSF_RECEIVERS: JSON.stringify([{ audience: 'https://siem.example.com', token: 'r'.repeat(40) }]),
};

const problemsOf = configProblems;

describe('<VAR>_FILE: every secret variable can be read from a file', () => {
  const fakes: FakeSystem[] = [];
  let systemsEnv: Record<string, string> = {};
  beforeAll(async () => {
    for (const make of Object.values(FAKE_SYSTEMS)) {
      const fake = make();
      await fake.start();
      fakes.push(fake);
      systemsEnv = { ...systemsEnv, ...fake.env() };
    }
  });
  afterAll(async () => {
    await Promise.all(fakes.map((f) => f.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('covers the shared secrets, DATABASE_URL and every system’s secret variables', () => {
    const expected = [
      ...Object.keys(SHARED),
      ...SYSTEMS.flatMap((s) => s.secretVars).filter((v) => !v.endsWith('_FILE')),
    ];
    expect([...FILE_VARS].sort()).toEqual(expected.sort());
  });

  it.each(
    FILE_VARS.map((name) => [name, name]),
  )('%s_FILE gives the same configuration as %s itself', (name) => {
    const direct: Record<string, string> = {
      ...SHARED,
      // SSF_RECEIVERS needs the transmitter on: its issuer and key file.
      SSF_ISSUER: 'https://revoke.example.com',
      SSF_SIGNING_KEY_FILE: signingKeyFile,
      REVOKE_REQUESTERS: 'U0123ABC',
      // The webhook's secret goes with its URL.
      AUDIT_WEBHOOK_URL: 'https://siem.example.com/revoke',
      ...systemsEnv,
      // The fake takes temporary credentials only when told to; the configuration takes any token.
      HUAWEI_SECURITY_TOKEN: 'temporary-security-token-0123456789',
    };
    const value = direct[name];
    expect(value, `${name} has a value in the test`).toBeTruthy();
    const { [name]: _moved, ...rest } = direct;
    const fromFile = loadConfig({ ...rest, [`${name}_FILE`]: file(`${value}\n`) });
    expect(fromFile).toEqual(loadConfig(direct));
  });

  it('refuses both set, an unreadable, empty or oversized file — naming the variable, never the content', () => {
    const secret = 'xoxb-test-never-print-me-made-up';
    const base = { SLACK_SIGNING_SECRET: 'sign-secret-value-1234', REVOKE_REQUESTERS: 'U0123ABC' };
    const both = problemsOf({ ...base, SLACK_BOT_TOKEN: secret, SLACK_BOT_TOKEN_FILE: file(secret) });
    expect(both).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN and SLACK_BOT_TOKEN_FILE are both set/)]);
    const missing = join(dir, 'no-such-file');
    expect(problemsOf({ ...base, SLACK_BOT_TOKEN_FILE: missing })).toContain(
      `SLACK_BOT_TOKEN_FILE names a file that cannot be read (ENOENT: ${missing}): set it to a readable file holding SLACK_BOT_TOKEN`,
    );
    expect(problemsOf({ ...base, SLACK_BOT_TOKEN_FILE: file('\n') })[0]).toMatch(
      /^SLACK_BOT_TOKEN_FILE names an empty file/,
    );
    expect(problemsOf({ ...base, SLACK_BOT_TOKEN_FILE: file('x'.repeat(70_000)) })[0]).toMatch(
      /^SLACK_BOT_TOKEN_FILE names a file of more than 64 KiB/,
    );
    // A malformed value read from a file is named by its variable, and not shown.
    const malformed = problemsOf({
      ...base,
      SLACK_BOT_TOKEN_FILE: file('xoxp-test-not-a-bot-token-made-up\n'),
    });
    expect(malformed[0]).toMatch(/^SLACK_BOT_TOKEN is malformed/);
    expect(malformed.join('\n')).not.toContain('notabottokenatall');
    expect(both.join('\n')).not.toContain('neverprintme');
  });

  it('through the CLI: doctor reaches a system whose token is in a file, and names a file it cannot read', async () => {
    const mattermost = fakes[SYSTEMS.findIndex((s) => s.id === 'mattermost')];
    const { MATTERMOST_TOKEN, ...env } = mattermost?.env() ?? {};
    const tokenFile = file(`${MATTERMOST_TOKEN}\n`);
    const db = `sqlite:${join(dir, 'doctor.db')}`;
    const ok = await cli(['doctor'], { ...env, MATTERMOST_TOKEN_FILE: tokenFile, DATABASE_URL: db });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(doctorLines(ok.stdout).find((l) => l.name.startsWith('Mattermost'))?.verdict).toBe('PASS');
    const bad = await cli(['doctor'], { ...env, MATTERMOST_TOKEN_FILE: join(dir, 'gone'), DATABASE_URL: db });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(
      /^FAIL\s+configuration\s+MATTERMOST_TOKEN_FILE names a file that cannot be read/m,
    );
  });
});
