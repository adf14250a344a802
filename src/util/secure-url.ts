import { isIP } from 'node:net';

/** True for a loopback host: `localhost`, 127.0.0.0/8, `::1` (brackets allowed). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1' || h === '0:0:0:0:0:0:0:1';
}

/**
 * The credentials a URL carries in its query (`?token=…`, `&api_key=…`, `&sig=…`): values of
 * parameters named like a credential, 8 characters or more, so they are redacted like any secret.
 */
export function queryCredentials(url: string | undefined): string[] {
  if (url === undefined || !URL.canParse(url)) return [];
  return [...new URL(url).searchParams]
    .filter(
      ([name, value]) => /token|key|secret|sig|auth|code|pass|credential/i.test(name) && value.length >= 8,
    )
    .map(([, value]) => value);
}

/** True for a link-local address (169.254.0.0/16, fe80::/10): cloud metadata services live there. */
export function isLinkLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(h) === 4) return h.startsWith('169.254.');
  return isIP(h) === 6 && /^fe[89ab]/.test(h);
}

/**
 * Why a URL a remote party gave (a Shared Signals receiver's push endpoint) may not be called from
 * this host, or undefined when it may: never a link-local address (cloud metadata), and a loopback
 * address only when `issuer`, the app's own public URL, is on loopback too (a test or a development
 * deployment) — a receiver elsewhere has nothing to receive on this host's loopback. Names are not
 * resolved: a DNS name that points at loopback is not caught here.
 */
export function remoteTargetProblem(url: string, issuer: string): string | undefined {
  const host = new URL(url).hostname;
  if (isLinkLocalHost(host)) return 'a link-local address (such as a cloud metadata service) is never called';
  if (isLoopbackHost(host) && !isLoopbackHost(new URL(issuer).hostname))
    return 'a loopback address is refused: this transmitter is not on loopback itself (SSF_ISSUER)';
  return undefined;
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
