import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../../src/config.js';
import { configProblems } from '../helpers/config-problems.js';
import { SSF_RECEIVERS, SSF_TOKENS, writeRsaKey } from '../helpers/ssf.js';

const BASE = {
  SLACK_BOT_TOKEN: 'xoxb-123456-abcdef-secretbot',
  SLACK_SIGNING_SECRET: 'sign-secret-value-1234',
  REVOKE_REQUESTERS: 'U0123ABC',
};

const problems = (env: Record<string, string>): string[] => configProblems({ ...BASE, ...env });

describe('Shared Signals and Universal Logout configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'revoke-ssf-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, 'ssf.pem');
  writeRsaKey(key);

  it('is off unless set, and on with an issuer and an RSA key of at least 2048 bits', () => {
    expect(loadConfig(BASE).signals).toEqual({
      transmitter: undefined,
      receivers: [],
      inbound: [],
      universalLogout: undefined,
    });
    const c = loadConfig({
      ...BASE,
      SSF_ISSUER: 'https://revoke.example.com/',
      SSF_SIGNING_KEY_FILE: key,
      SSF_RECEIVERS,
    });
    expect(c.signals.transmitter?.issuer).toBe('https://revoke.example.com');
    expect(c.signals.transmitter?.key.publicJwk.kty).toBe('RSA');
    expect(c.signals.receivers.map((r) => r.audience)).toEqual([
      'https://siem.example.com',
      'https://other.example.com',
    ]);
    expect(secretsOf(c)).toEqual(expect.arrayContaining([SSF_TOKENS.siem, SSF_TOKENS.other]));
  });

  it('names each problem and its variable, never quoting a token', () => {
    const small = join(dir, 'small.pem');
    writeRsaKey(small, 1024);
    writeFileSync(join(dir, 'junk.pem'), 'not a key');
    expect(problems({ SSF_ISSUER: 'https://r.example.com', SSF_SIGNING_KEY_FILE: small })).toEqual([
      'SSF_SIGNING_KEY_FILE must hold an RSA private key of at least 2048 bits for RS256 (this one is rsa, 1024 bits)',
    ]);
    expect(
      problems({ SSF_ISSUER: 'https://r.example.com', SSF_SIGNING_KEY_FILE: join(dir, 'junk.pem') })[0],
    ).toMatch(/^SSF_SIGNING_KEY_FILE is not a PEM private key/);
    expect(
      problems({ SSF_ISSUER: 'https://r.example.com', SSF_SIGNING_KEY_FILE: join(dir, 'none.pem') })[0],
    ).toMatch(/^SSF_SIGNING_KEY_FILE cannot be read \(ENOENT\)/);
    expect(problems({ SSF_ISSUER: 'http://revoke.example.com', SSF_SIGNING_KEY_FILE: key })).toEqual([
      'SSF_ISSUER is refused: it must be an https:// URL (http:// only on a loopback address such as 127.0.0.1)',
    ]);
    expect(problems({ SSF_ISSUER: 'http://127.0.0.1:8080', SSF_SIGNING_KEY_FILE: key })).toEqual([]);
    expect(problems({ SSF_ISSUER: 'https://r.example.com' })[0]).toMatch(/^SSF_SIGNING_KEY_FILE is missing/);
    const short = JSON.stringify([{ audience: 'a', token: 'short-token-value' }]);
    const said = problems({
      SSF_ISSUER: 'https://r.example.com',
      SSF_SIGNING_KEY_FILE: key,
      SSF_RECEIVERS: short,
    });
    expect(said).toEqual([
      'SSF_RECEIVERS is malformed: it must be a JSON list [{"audience":"…","token":"<at least 32 characters>"}] (0.token: a token of at least 32 characters)',
    ]);
    expect(said.join(' ')).not.toContain('short-token-value');
    expect(problems({ SSF_RECEIVERS })).toEqual([
      'SSF_RECEIVERS is set but the transmitter is off: set SSF_ISSUER and SSF_SIGNING_KEY_FILE too',
    ]);
    expect(
      problems({
        SSF_INBOUND_ISSUERS: JSON.stringify([
          { issuer: 'https://idp', jwks_uri: 'http://idp.example.com/jwks', audience: 'a' },
        ]),
      }),
    ).toEqual([
      'SSF_INBOUND_ISSUERS (jwks_uri of https://idp) is refused: it must be an https:// URL (http:// only on a loopback address such as 127.0.0.1)',
    ]);
    expect(problems({ OKTA_UNIVERSAL_LOGOUT_ISSUER: 'https://acme.okta.com' })).toEqual([
      'OKTA_UNIVERSAL_LOGOUT_JWKS_URL is missing: the Okta Universal Logout target is partly configured (OKTA_UNIVERSAL_LOGOUT_ISSUER set); set it too, or unset the others to turn it off',
      'OKTA_UNIVERSAL_LOGOUT_AUDIENCE is missing: the Okta Universal Logout target is partly configured (OKTA_UNIVERSAL_LOGOUT_ISSUER set); set it too, or unset the others to turn it off',
    ]);
  });
});
