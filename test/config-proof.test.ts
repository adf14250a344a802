import { describe, expect, it } from 'vitest';
import { parseWatch } from '../src/config/proof.js';
import { loadConfig, secretsOf } from '../src/config.js';
import { configProblems } from './helpers/config-problems.js';
import { SECRETS } from './helpers/harness.js';

const BASE = {
  SLACK_BOT_TOKEN: SECRETS.bot,
  SLACK_SIGNING_SECRET: SECRETS.signing,
  REVOKE_REQUESTERS: 'UREQ',
};
const AUDIT = 'xoxp-test-audit-token-made-up-not-real';

const problems = (env: Record<string, string>): string[] => configProblems({ ...BASE, ...env });

describe('proof settings (SLACK_AUDIT_*, REVOKE_WATCH, SSF_SIGNING_KEY_FILE)', () => {
  it('defaults: no audit confirmation, the watch at 2m, 10m, 30m, a kept key', () => {
    const { proof } = loadConfig(BASE);
    expect(proof).toEqual({
      slackAudit: undefined,
      watchMs: [120_000, 600_000, 1_800_000],
      signingKeyFile: undefined,
    });
  });

  it('reads the audit token, its URL (with a trailing slash) and window; the token is a secret', () => {
    const config = loadConfig({
      ...BASE,
      SLACK_AUDIT_TOKEN: AUDIT,
      SLACK_AUDIT_API_URL: 'https://audit.example.com/audit/v1',
      SLACK_AUDIT_CONFIRM_WINDOW: '20m',
      REVOKE_WATCH: '45s, 2m,1h30m',
    });
    expect(config.proof.slackAudit).toEqual({
      token: AUDIT,
      apiUrl: 'https://audit.example.com/audit/v1/',
      confirmWindowMs: 1_200_000,
    });
    expect(config.proof.watchMs).toEqual([45_000, 120_000, 5_400_000]);
    expect(secretsOf(config)).toContain(AUDIT);
    expect(loadConfig({ ...BASE, SLACK_AUDIT_TOKEN: AUDIT }).proof.slackAudit?.apiUrl).toBe(
      'https://api.slack.com/audit/v1/',
    );
  });

  it('names every malformed variable, never echoing the token', () => {
    const found = problems({
      SLACK_AUDIT_TOKEN: 'xoxb-not-a-user-token-secret',
      SLACK_AUDIT_API_URL: 'ftp://nope',
      SLACK_AUDIT_CONFIRM_WINDOW: '5s',
      REVOKE_WATCH: '2m,soon',
    });
    expect(found.map((p) => p.split(' ')[0])).toEqual([
      'SLACK_AUDIT_TOKEN',
      'SLACK_AUDIT_API_URL',
      'SLACK_AUDIT_CONFIRM_WINDOW',
      'REVOKE_WATCH',
    ]);
    expect(found.join('\n')).not.toContain('not-a-user-token-secret');
  });

  it('REVOKE_WATCH: off, bounds, duplicates', () => {
    expect(parseWatch('off')).toEqual([]);
    expect(parseWatch('OFF')).toEqual([]);
    expect(parseWatch('10m,2m,2m')).toEqual([120_000, 600_000]);
    expect(parseWatch('0s')).toBeUndefined();
    expect(parseWatch('25h')).toBeUndefined();
    expect(parseWatch('')).toBeUndefined();
  });
});
