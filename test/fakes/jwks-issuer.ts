import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

type Key = { kid: string; privateKey: CryptoKey; jwk: JWK };

/**
 * A fake token issuer (an identity provider's SSF transmitter, or Okta signing Universal Logout
 * calls): publishes a JWKS over HTTP, signs JWTs with its current key, and can rotate it.
 */
export class FakeJwksIssuer {
  url = '';
  /** How many times the JWKS was read. */
  reads = 0;
  private keys: Key[] = [];
  private server: Server | undefined;
  private n = 0;

  constructor(readonly issuer: string) {}

  async start(): Promise<void> {
    await this.rotate(false);
    this.server = createServer((_req, res) => {
      this.reads++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: this.keys.map((k) => k.jwk) }));
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks`;
  }

  /** A new signing key; with `keepOld`, the old one stays published too. */
  async rotate(keepOld = true): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const kid = `key-${++this.n}`;
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    this.keys = [...(keepOld ? this.keys : []), { kid, privateKey, jwk }];
    return kid;
  }

  /** Signs `claims` with the current key (or `key`: a key the JWKS does not publish, under the same kid). */
  async sign(
    claims: JWTPayload,
    typ: string,
    options: { foreignKey?: boolean; kid?: string } = {},
  ): Promise<string> {
    const current = this.keys[this.keys.length - 1] as Key;
    const key = options.foreignKey ? (await generateKeyPair('RS256')).privateKey : current.privateKey;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? current.kid, typ })
      .sign(key);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}
