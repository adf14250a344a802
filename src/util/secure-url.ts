import { isIP } from 'node:net';

/** True for a loopback host: `localhost`, 127.0.0.0/8, `::1` (brackets allowed). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1' || h === '0:0:0:0:0:0:0:1';
}

/**
 * Why `url` may not be used for Shared Signals (issuers, JWKS URIs, push endpoints), or undefined
 * when it may: it must be an absolute `https://` URL, or `http://` on a loopback address (a test, or
 * a receiver on the same host); never with a user name or password in it.
 */
export function insecureUrlProblem(url: string): string | undefined {
  if (!URL.canParse(url)) return 'not an absolute URL';
  const u = new URL(url);
  if (u.username || u.password) return 'a URL must not carry a user name or password';
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return undefined;
  return 'it must be an https:// URL (http:// only on a loopback address such as 127.0.0.1)';
}
