import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGoogle, GOOGLE_TOKEN_PREFIX } from '../fakes/google.js';
import { cli, doctorLines } from './run.js';

/** The break-glass CLI, as an operator runs it, against a fake Google Workspace only. */
describe('CLI with Google Workspace: doctor, sessions and revoke through the real app', () => {
  const fake = new FakeGoogle();
  const dir = mkdtempSync(join(tmpdir(), 'revoke-cli-google-'));
  let env: Record<string, string>;

  /** Nothing the CLI printed holds the private key or an access token. */
  const noSecrets = (text: string) => {
    for (const line of fake.keys.privatePem.split('\n').filter((l) => l.length > 20))
      expect(text).not.toContain(line);
    expect(text).not.toContain(GOOGLE_TOKEN_PREFIX);
  };

  beforeAll(async () => {
    await fake.start();
    env = { ...fake.env(), DATABASE_URL: `sqlite:${join(dir, 'cli.db')}` };
    fake.users.push(
      { id: 'u-alice', primaryEmail: 'alice@example.com', fullName: 'Alice' },
      { id: 'u-bob', primaryEmail: 'bob@example.com', fullName: 'Bob' },
    );
    fake.grants.push(
      {
        userId: 'u-alice',
        clientId: '111.apps.googleusercontent.com',
        displayText: 'Notes',
        scopes: ['email'],
      },
      {
        userId: 'u-alice',
        clientId: '222.apps.googleusercontent.com',
        displayText: 'Mail',
        scopes: ['email'],
      },
      {
        userId: 'u-bob',
        clientId: '111.apps.googleusercontent.com',
        displayText: 'Notes',
        scopes: ['email'],
      },
    );
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('doctor passes for Google Workspace and names the service account and the admin', async () => {
    const run = await cli(['doctor'], env);
    const line = doctorLines(run.stdout).find((l) => l.name === 'Google Workspace');
    expect(line?.verdict, run.stdout).toBe('PASS');
    expect(line?.detail).toMatch(/^token issued to revoke-sessions@.* acting as security-admin@example\.com/);
    noSecrets(run.stdout + run.stderr);
  });

  it('sessions lists the person’s OAuth app grants', async () => {
    const run = await cli(['sessions', 'alice@example.com'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Google Workspace: alice@example\.com — 2 session\(s\)/);
    noSecrets(run.stdout + run.stderr);
  });

  it('revoke --yes signs only Alice out, revokes only her grants, and says what cannot be verified', async () => {
    const run = await cli(['revoke', 'alice@example.com', '--reason', 'INC-9 phished', '--yes'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Google Workspace\s+REVOKED/);
    expect(run.stderr).toContain('revoked, not verifiable by listing');
    expect(fake.signedOut).toEqual(['u-alice']);
    expect(fake.grants.map((g) => g.userId)).toEqual(['u-bob']);
    noSecrets(run.stdout + run.stderr);
  });
});
