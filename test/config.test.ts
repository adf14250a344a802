import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, enabledSystems, loadConfig } from '../src/config.js';
import { captureLines, captureStream } from './helpers/capture.js';
import { configProblems } from './helpers/config-problems.js';

const BASE = {
  SLACK_BOT_TOKEN: 'xoxb-123456-abcdef-secretbot',
  SLACK_SIGNING_SECRET: 'sign-secret-value-1234',
  REVOKE_REQUESTERS: 'U0123ABC, S0GROUP1',
};

const problems = configProblems;

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(BASE);
    expect(c.mode).toBe('http');
    expect(c.port).toBe(3000);
    expect(c.slack.apiUrl).toBe('https://slack.com/api/');
    expect(c.databaseUrl).toBe('sqlite:./data/revoke-sessions.db');
    expect(c.requireApproval).toBe(false);
    expect(c.approvalTtlMs).toBe(3_600_000);
    expect(c.logLevel).toBe('info');
    expect(c.shutdownGraceMs).toBe(20_000);
    expect([...c.requesters.users]).toEqual(['U0123ABC']);
    expect([...c.requesters.groups]).toEqual(['S0GROUP1']);
    expect(c.approvers).toEqual(c.requesters);
    expect(enabledSystems(c)).toEqual([]);
  });

  it('names every missing variable at once', () => {
    const p = problems({});
    expect(p.join('\n')).toMatch(/SLACK_BOT_TOKEN is missing/);
    expect(p.join('\n')).toMatch(/SLACK_SIGNING_SECRET is missing/);
    expect(p.join('\n')).toMatch(/REVOKE_REQUESTERS is missing/);
  });

  it('names every malformed variable at once and never echoes a secret', () => {
    const env = {
      ...BASE,
      SLACK_BOT_TOKEN: 'xoxp-this-is-a-user-token-secret',
      SLACK_ADMIN_TOKEN: 'xoxb-wrong-kind-secret',
      PORT: 'eighty',
      REVOKE_REQUESTERS: 'U0123ABC,alice',
      REVOKE_APPROVAL_CHANNEL: '#security',
      REVOKE_APPROVAL_TTL: 'forever',
      REVOKE_REQUIRE_APPROVAL: 'yes',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
      SLACK_API_URL: 'not a url',
      SHUTDOWN_GRACE_SECONDS: '20s',
    };
    const p = problems(env);
    const text = p.join('\n');
    for (const name of [
      'SLACK_BOT_TOKEN',
      'SLACK_ADMIN_TOKEN',
      'PORT',
      'REVOKE_REQUESTERS',
      'REVOKE_APPROVAL_CHANNEL',
      'REVOKE_APPROVAL_TTL',
      'REVOKE_REQUIRE_APPROVAL',
      'DATABASE_URL',
      'LOG_LEVEL',
      'SLACK_API_URL',
      'SHUTDOWN_GRACE_SECONDS',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).not.toContain('this-is-a-user-token-secret');
    expect(text).not.toContain('wrong-kind-secret');
  });

  it('requires a partly configured system to be complete', () => {
    const text = problems({ ...BASE, BOX_CLIENT_ID: 'id', MATTERMOST_TOKEN: 'tok' }).join('\n');
    expect(text).toMatch(/BOX_CLIENT_SECRET is missing/);
    expect(text).toMatch(/BOX_ENTERPRISE_ID is missing/);
    expect(text).toMatch(/MATTERMOST_URL is missing/);
  });

  it('enables systems whose credentials are set and derives the Huawei endpoint', () => {
    const c = loadConfig({
      ...BASE,
      SLACK_ADMIN_TOKEN: 'xoxp-admin-token-value',
      BOX_CLIENT_ID: 'id',
      BOX_CLIENT_SECRET: 'secret',
      BOX_ENTERPRISE_ID: '12345',
      MATTERMOST_URL: 'https://chat.example.com/',
      MATTERMOST_TOKEN: 'tok',
      HUAWEI_ACCESS_KEY: 'AK',
      HUAWEI_SECRET_KEY: 'SK',
      HUAWEI_IDENTITY_STORE_ID: 'd-123',
      HUAWEI_REGION: 'ap-southeast-1',
    });
    expect(enabledSystems(c)).toEqual(['slack', 'box', 'mattermost', 'huawei']);
    expect(c.systems.huawei?.endpoint).toBe('https://identitystore.ap-southeast-1.myhuaweicloud.com');
    expect(c.systems.mattermost?.url).toBe('https://chat.example.com');
    expect(c.systems.box?.apiUrl).toBe('https://api.box.com/2.0');
  });

  it('switches to Socket Mode when SLACK_APP_TOKEN is set (no signing secret needed)', () => {
    const { SLACK_SIGNING_SECRET: _s, ...rest } = BASE;
    const c = loadConfig({ ...rest, SLACK_APP_TOKEN: 'xapp-1-A1-123-abc' });
    expect(c.mode).toBe('socket');
  });

  it('reads SHUTDOWN_GRACE_SECONDS (0 is allowed: hand over at once)', () => {
    expect(loadConfig({ ...BASE, SHUTDOWN_GRACE_SECONDS: '0' }).shutdownGraceMs).toBe(0);
    expect(loadConfig({ ...BASE, SHUTDOWN_GRACE_SECONDS: '45' }).shutdownGraceMs).toBe(45_000);
    expect(problems({ ...BASE, SHUTDOWN_GRACE_SECONDS: '3601' }).join('\n')).toMatch(
      /SHUTDOWN_GRACE_SECONDS .*a number of seconds from 0 to 3600/,
    );
  });

  it('treats empty values as unset', () => {
    const c = loadConfig({ ...BASE, SLACK_ADMIN_TOKEN: '', PORT: '' });
    expect(c.systems.slack?.adminToken).toBeUndefined();
    expect(c.port).toBe(3000);
  });

  it('parses durations', () => {
    expect(loadConfig({ ...BASE, REVOKE_APPROVAL_TTL: '30m' }).approvalTtlMs).toBe(1_800_000);
    expect(problems({ ...BASE, REVOKE_APPROVAL_TTL: '10s' }).join()).toMatch(/REVOKE_APPROVAL_TTL/);
  });

  it('keeps to the documented vendor limits unless REVOKE_RATE_LIMITS says otherwise, and names what it cannot read', () => {
    const c = loadConfig(BASE);
    expect(c.rateLimits.get('slack:users.info')).toEqual({ count: 100, perMs: 60_000 });
    expect(c.rateLimits.get('okta')).toEqual({ count: 600, perMs: 60_000 });
    expect(c.urgentReserve).toBe(0.05);
    const raised = loadConfig({ ...BASE, REVOKE_RATE_LIMITS: 'okta=1200/1m', REVOKE_URGENT_RESERVE: '10%' });
    expect(raised.rateLimits.get('okta')).toEqual({ count: 1200, perMs: 60_000 });
    expect(raised.urgentReserve).toBe(0.1);
    expect(loadConfig({ ...BASE, REVOKE_RATE_LIMITS: 'off' }).rateLimits.size).toBe(0);
    expect(problems({ ...BASE, REVOKE_RATE_LIMITS: 'okta=fast', REVOKE_URGENT_RESERVE: '90%' })).toEqual([
      expect.stringMatching(/^REVOKE_URGENT_RESERVE is malformed: it must be a share from 0% to 50%/),
      expect.stringMatching(/^REVOKE_RATE_LIMITS: the limit for okta must be <count>\/<period>/),
    ]);
  });
});

describe('start-up with bad configuration', () => {
  it('exits non-zero with one message naming the problems, no stack trace, no secret', () => {
    // An empty working folder, so no developer .env is read.
    const cwd = mkdtempSync(join(tmpdir(), 'revoke-config-'));
    const main = new URL('../src/main.ts', import.meta.url).pathname;
    const run = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), main], {
      env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: 'xoxp-leaky-secret-value' },
      encoding: 'utf8',
      cwd,
      timeout: 20_000,
    });
    rmSync(cwd, { recursive: true, force: true });
    captureLines('log', `${run.stdout}\n${run.stderr}`);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/SLACK_BOT_TOKEN is malformed/);
    expect(run.stderr).toMatch(/REVOKE_REQUESTERS is missing/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).not.toContain('leaky-secret-value');
  });
});

describe('start-up with Slack unreachable', () => {
  it('keeps serving and never prints a token (npm start path)', async () => {
    const { spawn } = await import('node:child_process');
    const cwd = mkdtempSync(join(tmpdir(), 'revoke-start-'));
    const token = 'xoxb-7777-8888-unreachableslacktoken';
    const proc = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), new URL('../src/main.ts', import.meta.url).pathname],
      {
        cwd,
        env: {
          PATH: process.env.PATH,
          SLACK_BOT_TOKEN: token,
          SLACK_SIGNING_SECRET: 'signing-secret-value-123',
          REVOKE_REQUESTERS: 'U0123ABC,S0GROUP1',
          SLACK_API_URL: 'http://127.0.0.1:9/api/',
          PORT: '0',
        },
      },
    );
    captureStream('log', proc.stdout);
    captureStream('log', proc.stderr);
    let output = '';
    proc.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    try {
      const port = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /on port (\d+)/.exec(output);
          if (m?.[1]) {
            clearInterval(timer);
            resolve(m[1]);
          }
        }, 20);
        proc.on('exit', () => reject(new Error(`exited early: ${output}`)));
      });
      await new Promise((r) => setTimeout(r, 1_500)); // the user-group prefetch fails meanwhile
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(proc.exitCode).toBeNull();
      expect(output).not.toContain(token);
      expect(output).not.toMatch(/Bearer\s+xox/);
    } finally {
      proc.kill('SIGKILL');
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('.env pitfalls', () => {
  it('finds values dotenv cut at an unquoted #, but not real comments or quoted values', async () => {
    const { dotenvCutOffs } = await import('../src/dotenv-check.js');
    const text = [
      'REVOKE_APPROVAL_CHANNEL=#security',
      'SLACK_SIGNING_SECRET=abc#def',
      'LOG_LEVEL=info # a comment',
      'REVOKE_API_TOKEN="abc#def"',
      'SLACK_ADMIN_TOKEN=   # not set yet',
    ].join('\n');
    const env = {
      REVOKE_APPROVAL_CHANNEL: '',
      SLACK_SIGNING_SECRET: 'abc',
      LOG_LEVEL: 'info',
      REVOKE_API_TOKEN: 'abc#def',
      SLACK_ADMIN_TOKEN: '',
    };
    expect([...dotenvCutOffs(text, env)]).toEqual([
      ['REVOKE_APPROVAL_CHANNEL', 'empty'],
      ['SLACK_SIGNING_SECRET', 'cut'],
    ]);
    // The real environment wins over .env: then the .env line does not matter.
    expect(
      dotenvCutOffs(text, { ...env, SLACK_SIGNING_SECRET: 'from-the-environment' }).has(
        'SLACK_SIGNING_SECRET',
      ),
    ).toBe(false);
  });

  it('rejects a cut-off value naming the variable and how to quote it', () => {
    const cut = new Map<string, 'empty' | 'cut'>([
      ['REVOKE_APPROVAL_CHANNEL', 'empty'],
      ['SLACK_SIGNING_SECRET', 'cut'],
    ]);
    let text = '';
    try {
      loadConfig(
        { ...BASE, REVOKE_APPROVAL_CHANNEL: '', SLACK_SIGNING_SECRET: 'abc' },
        { dotenvCutOffs: cut },
      );
    } catch (error) {
      if (error instanceof ConfigError) text = error.problems.join('\n');
    }
    expect(text).toMatch(
      /REVOKE_APPROVAL_CHANNEL looks cut off in \.env: .*nothing was read; quote the value \(REVOKE_APPROVAL_CHANNEL="…"\)/,
    );
    expect(text).toMatch(/SLACK_SIGNING_SECRET looks cut off in \.env/);
  });

  it('rejects a channel that is not a channel ID and a token that is only its prefix', () => {
    const text = problems({
      ...BASE,
      SLACK_BOT_TOKEN: 'xoxb-',
      REVOKE_APPROVAL_CHANNEL: 'security',
    }).join('\n');
    expect(text).toMatch(/SLACK_BOT_TOKEN is malformed: .*only its prefix xoxb-/);
    expect(text).toMatch(/REVOKE_APPROVAL_CHANNEL is malformed: .*channel ID/);
    expect(problems({ ...BASE, REVOKE_APPROVAL_CHANNEL: 'D0123ABC' }).join()).toMatch(
      /REVOKE_APPROVAL_CHANNEL/,
    );
    expect(loadConfig({ ...BASE, REVOKE_APPROVAL_CHANNEL: 'G0PRIVATE1' }).approvalChannel).toBe('G0PRIVATE1');
  });

  it('reads LOG_FORMAT, METRICS_ENABLED and METRICS_TOKEN, and validates them', () => {
    const c = loadConfig({
      ...BASE,
      LOG_FORMAT: 'pretty',
      METRICS_ENABLED: 'true',
      METRICS_TOKEN: 'metrics-token-0123456789',
    });
    expect(c.logFormat).toBe('pretty');
    expect(c.metricsEnabled).toBe(true);
    expect(c.metricsToken).toBe('metrics-token-0123456789');
    expect(loadConfig(BASE)).toMatchObject({
      logFormat: 'json',
      metricsEnabled: false,
      metricsToken: undefined,
    });
    const text = problems({
      ...BASE,
      LOG_FORMAT: 'xml',
      METRICS_ENABLED: 'yes',
      METRICS_TOKEN: 'short',
    }).join('\n');
    for (const name of ['LOG_FORMAT', 'METRICS_ENABLED', 'METRICS_TOKEN']) expect(text).toContain(name);
  });

  it('refuses a cut-off value when the app starts from a .env file (npm start path)', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'revoke-dotenv-'));
    writeFileSync(
      join(cwd, '.env'),
      [
        'SLACK_BOT_TOKEN=xoxb-123456-abcdef-dotenvbot',
        'SLACK_SIGNING_SECRET=sign-secret-value-1234',
        'REVOKE_REQUESTERS=U0123ABC',
        'REVOKE_APPROVAL_CHANNEL=#security',
      ].join('\n'),
    );
    const main = new URL('../src/main.ts', import.meta.url).pathname;
    const run = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), main], {
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
      cwd,
      timeout: 20_000,
    });
    rmSync(cwd, { recursive: true, force: true });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/REVOKE_APPROVAL_CHANNEL looks cut off in \.env/);
    expect(run.stderr).not.toContain('dotenvbot');
  });
});
