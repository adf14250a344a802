import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Receiver tokens the tests give the app (SSF_RECEIVERS): secrets it must never repeat. */
export const SSF_TOKENS = {
  siem: 'ssf-receiver-token-siem-0123456789abcdef0123',
  other: 'ssf-receiver-token-other-0123456789abcdef012',
};
/** What a receiver asks the transmitter to send with each push (a secret of the receiver's). */
export const PUSH_AUTHORIZATION = 'Bearer push-auth-secret-0123456789abcdef';

export const SSF_RECEIVERS = JSON.stringify([
  { audience: 'https://siem.example.com', token: SSF_TOKENS.siem },
  { audience: 'https://other.example.com', token: SSF_TOKENS.other },
]);

/** Writes a fresh RSA private key (PEM) to `path`. */
export function writeRsaKey(path: string, bits = 2048): void {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}

/** A TCP port free right now on the loopback (the app's issuer URL must name its port before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A JSON call to the app with a receiver's bearer token. */
export async function ssfCall(
  url: string,
  method: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

/**
 * A transmitter's environment for an app about to start: a fresh key in `dir`, a free loopback
 * port, and the issuer URL on it (with `path`, when given).
 */
export async function transmitterEnv(
  dir: string,
  path = '',
): Promise<{ issuer: string; env: Record<string, string> }> {
  writeRsaKey(join(dir, 'ssf.pem'));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}${path}`;
  return {
    issuer,
    env: {
      PORT: String(port),
      SSF_ISSUER: issuer,
      SSF_SIGNING_KEY_FILE: join(dir, 'ssf.pem'),
      SSF_RECEIVERS,
    },
  };
}

/** Alice's Entra ID account, as the fake holds it. */
export const ENTRA_ALICE = {
  id: 'e-alice',
  displayName: 'Alice',
  mail: 'alice@example.com',
  userPrincipalName: 'alice@contoso.onmicrosoft.com',
  accountEnabled: true,
};
