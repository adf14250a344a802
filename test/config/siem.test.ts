import { describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../../src/config.js';
import { configProblems } from '../helpers/config-problems.js';

const BASE = {
  SLACK_BOT_TOKEN: 'xoxb-123456-abcdef-secretbot',
  SLACK_SIGNING_SECRET: 'sign-secret-value-1234',
  REVOKE_REQUESTERS: 'U0123ABC',
};
const SECRET = 'siem-config-secret-0123456789abcdef-0123';

const problems = (env: Record<string, string>) => configProblems({ ...BASE, ...env });

describe('the SIEM settings', () => {
  it('are off unless set', () => {
    expect(loadConfig(BASE).siem).toEqual({ webhook: undefined, syslog: undefined });
  });

  it('take an https:// webhook with its secret (a secret redacted everywhere) and tcp:// or tls:// syslog', () => {
    const config = loadConfig({
      ...BASE,
      AUDIT_WEBHOOK_URL: 'https://siem.example.com/revoke',
      AUDIT_WEBHOOK_SECRET: SECRET,
      AUDIT_SYSLOG_URL: 'tls://syslog.example.com:6514',
    });
    expect(config.siem.webhook).toEqual({ url: 'https://siem.example.com/revoke', secret: SECRET });
    expect(config.siem.syslog).toEqual({ protocol: 'tls', host: 'syslog.example.com', port: 6514 });
    expect(secretsOf(config)).toContain(SECRET);
    // A token in the webhook URL's query is redacted like the secret; other query values are not.
    const tokenInUrl = 'hec-4f9a1c2e7b3d5a60';
    const withToken = loadConfig({
      ...BASE,
      AUDIT_WEBHOOK_URL: `https://siem.example.com/revoke?source=revoke-sessions&token=${tokenInUrl}`,
      AUDIT_WEBHOOK_SECRET: SECRET,
    });
    expect(secretsOf(withToken)).toContain(tokenInUrl);
    expect(secretsOf(withToken)).not.toContain('revoke-sessions');
    expect(loadConfig({ ...BASE, AUDIT_SYSLOG_URL: 'tcp://127.0.0.1:514' }).siem.syslog?.protocol).toBe(
      'tcp',
    );
  });

  it('refuse plain http off loopback, half a webhook, a short secret and other syslog URLs — never echoing the secret', () => {
    const http = problems({ AUDIT_WEBHOOK_URL: 'http://siem.example.com/x', AUDIT_WEBHOOK_SECRET: SECRET });
    expect(http).toHaveLength(1);
    expect(http[0]).toMatch(/^AUDIT_WEBHOOK_URL is malformed: .*https:\/\//);
    expect(problems({ AUDIT_WEBHOOK_URL: 'http://127.0.0.1:8080/x', AUDIT_WEBHOOK_SECRET: SECRET })).toEqual(
      [],
    );
    expect(problems({ AUDIT_WEBHOOK_URL: 'https://siem.example.com/x' })[0]).toMatch(
      /^AUDIT_WEBHOOK_SECRET is missing/,
    );
    expect(problems({ AUDIT_WEBHOOK_SECRET: SECRET })[0]).toMatch(/^AUDIT_WEBHOOK_URL is missing/);
    const short = problems({
      AUDIT_WEBHOOK_URL: 'https://siem.example.com/x',
      AUDIT_WEBHOOK_SECRET: 'short-secret-1',
    });
    expect(short[0]).toMatch(/^AUDIT_WEBHOOK_SECRET is malformed: it must be at least 32 characters/);
    expect(short.join('\n')).not.toContain('short-secret-1');
    for (const url of [
      'udp://syslog:514',
      'tcp://syslog',
      'tls://user:pw@syslog:6514',
      'https://syslog:6514',
    ])
      expect(problems({ AUDIT_SYSLOG_URL: url })[0], url).toMatch(
        /^AUDIT_SYSLOG_URL is malformed: it must be tcp:\/\//,
      );
  });
});
