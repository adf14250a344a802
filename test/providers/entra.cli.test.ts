/** Entra ID through the break-glass CLI, as an operator runs it: doctor and revoke. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, doctorLines } from '../cli/run.js';
import { ENTRA_CREDENTIALS, FakeEntra } from '../fakes/entra.js';
import { captureSqliteAudit } from '../helpers/capture.js';

describe('Microsoft Entra ID in the CLI', () => {
  const fake = new FakeEntra();
  const dir = mkdtempSync(join(tmpdir(), 'revoke-entra-cli-'));
  let env: Record<string, string>;

  beforeAll(async () => {
    await fake.start();
    fake.users.push(
      {
        id: 'e-alice',
        displayName: 'Alice',
        mail: 'alice@example.com',
        userPrincipalName: 'alice@contoso.onmicrosoft.com',
        accountEnabled: true,
      },
      {
        id: 'e-bob',
        displayName: 'Bob',
        mail: 'bob@example.com',
        userPrincipalName: 'bob@contoso.onmicrosoft.com',
        accountEnabled: true,
      },
    );
    env = { ...fake.env(), DATABASE_URL: `sqlite:${join(dir, 'cli.db')}` };
  });
  afterAll(async () => {
    await fake.close();
    captureSqliteAudit(`sqlite:${join(dir, 'cli.db')}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'doctor passes with the permissions, and fails naming the missing one',
    { timeout: 30_000 },
    async () => {
      const ok = await cli(['doctor'], env);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      const line = doctorLines(ok.stdout).find((l) => l.name === 'Microsoft Entra ID');
      expect(line).toMatchObject({ verdict: 'PASS' });
      expect(line?.detail).toContain('permissions User.Read.All, User.RevokeSessions.All present');

      fake.roles = ['User.Read.All'];
      try {
        const bad = await cli(['doctor'], env);
        expect(bad.code).toBe(1);
        const failed = doctorLines(bad.stdout).find((l) => l.name === 'Microsoft Entra ID');
        expect(failed).toMatchObject({ verdict: 'FAIL' });
        expect(failed?.detail).toContain('User.RevokeSessions.All');
      } finally {
        fake.roles = ['User.Read.All', 'User.RevokeSessions.All'];
      }

      const wrong = await cli(['doctor'], { ...env, ENTRA_CLIENT_SECRET: 'wrong-secret-value' });
      expect(wrong.code).toBe(1);
      expect(doctorLines(wrong.stdout).find((l) => l.name === 'Microsoft Entra ID')?.detail).toContain(
        'ENTRA_CLIENT_SECRET',
      );
      for (const run of [ok, wrong]) {
        expect(run.stdout + run.stderr).not.toContain('wrong-secret-value');
        expect(run.stdout + run.stderr).not.toContain(ENTRA_CREDENTIALS.clientSecret);
      }
    },
  );

  it(
    'revoke ends only the named person’s sessions and says it cannot be verified',
    { timeout: 30_000 },
    async () => {
      const run = await cli(['revoke', 'alice@example.com', '--reason', 'INC-7: phished', '--yes'], env);
      expect(run.code, run.stderr).toBe(0);
      expect(fake.revoked).toEqual(['e-alice']);
      expect(run.stderr).toMatch(/Microsoft Entra ID\s+REVOKED/);
      expect(run.stderr).toContain('can take a few minutes; not verifiable by listing');
      for (const token of fake.issuedTokens()) expect(run.stdout + run.stderr).not.toContain(token);
    },
  );
});
