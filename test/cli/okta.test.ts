import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOkta, OKTA_TOKEN } from '../fakes/okta.js';
import { captureSqliteAudit } from '../helpers/capture.js';
import { cli, doctorLines, events } from './run.js';

/** The break-glass CLI with only Okta connected: doctor, and a revoke that says what it could not verify. */
describe('CLI with Okta', () => {
  const fake = new FakeOkta();
  const dir = mkdtempSync(join(tmpdir(), 'revoke-cli-okta-'));
  let env: Record<string, string>;
  beforeAll(async () => {
    await fake.start();
    fake.users.push({
      id: '00ualice',
      status: 'ACTIVE',
      login: 'alice@example.com',
      email: 'alice@example.com',
      sessions: ['102a1'],
      oauthTokens: ['at-a1'],
    });
    env = { ...fake.env(), DATABASE_URL: `sqlite:${join(dir, 'cli.db')}` };
  });
  afterAll(async () => {
    await fake.close();
    captureSqliteAudit(`sqlite:${join(dir, 'cli.db')}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('doctor: PASS for Okta with the account the token acts as; a wrong token FAILs without being shown', async () => {
    const ok = await cli(['doctor'], env);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const line = doctorLines(ok.stdout).find((l) => l.name.startsWith('Okta'));
    expect(line?.verdict).toBe('PASS');
    expect(line?.detail).toContain('acting as revoke-bot@example.com');
    const wrong = await cli(['doctor'], { ...env, OKTA_API_TOKEN: 'wrong-okta-token-value-123' });
    expect(wrong.code).toBe(1);
    const failed = doctorLines(wrong.stdout).find((l) => l.name.startsWith('Okta'));
    expect(failed?.verdict).toBe('FAIL');
    expect(failed?.detail).toContain('Invalid token provided');
    expect(wrong.stdout + wrong.stderr).not.toContain('wrong-okta-token-value-123');
    expect(ok.stdout + ok.stderr).not.toContain(OKTA_TOKEN);
  });

  it('revoke --yes: REVOKED, and the sentence says it is not verifiable by listing', async () => {
    const run = await cli(
      ['revoke', 'alice@example.com', '--reason', 'INC-9 phished', '--yes', '--json'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const [result] = JSON.parse(run.stdout) as { status: string }[];
    expect(result?.status).toBe('done');
    const step = events(run.stderr).find((e) => e.event === 'step' && e.system === 'okta');
    expect(step?.state).toBe('revoked');
    expect(step?.sentence).toContain('revoked, not verifiable by listing');
    expect(fake.cleared).toEqual([{ userId: '00ualice', oauthTokens: true }]);
    expect(fake.violations).toEqual([]);
  });
});
