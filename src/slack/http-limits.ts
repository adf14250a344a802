import type { Server, ServerOptions } from 'node:http';

/**
 * How much an unauthenticated client may make the HTTP server hold. Request bodies
 * are buffered before their signature (or bearer token) can be checked, so these
 * bound what anyone on the network can pin in memory and for how long. The body
 * limits hold for every body the server reads, on any path (see `body-guard.ts`).
 */
export interface HttpLimits {
  /**
   * Largest body accepted, on any path. 256 KiB: Slack's biggest requests are
   * view submissions, which carry the whole modal (at most 100 blocks, up to 3,000
   * characters of text each, as JSON inside a form field, so URL-encoding nearly doubles
   * it) plus its state; the request modal with four systems' session pickers and a
   * 1,000-person multi-user select comes to tens of KiB. Slash commands and button
   * clicks are a few KiB.
   */
  maxBodyBytes: number;
  /** Bodies read at once, all paths together; beyond it (and nothing to evict) → 503 with Retry-After. */
  maxConcurrentBodies: number;
  /**
   * A body must arrive whole within this long after its headers, else 408 and the
   * connection is closed. Slack sends its (small) body at once and wants an answer
   * within 3 seconds, so a body still arriving after 5 seconds is never Slack.
   */
  bodyTimeoutMs: number;
  /**
   * When every slot is taken, a body unfinished after this long is cut off to make room
   * for the newcomer: an attacker holding slow connections open delays Slack's requests
   * by at most this, instead of blocking them.
   */
  evictAfterMs: number;
  /** Node's `headersTimeout`: all request headers within this long. */
  headersTimeoutMs: number;
  /** Node's `requestTimeout`: the whole request (any route) within this long. */
  requestTimeoutMs: number;
  /** How often Node checks the two timeouts above (its default, 30 s, would make them 30 s late). */
  checkIntervalMs: number;
}

/** The limits in production; tests inject shorter ones. */
export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  maxBodyBytes: 256 * 1024,
  // 128 × 256 KiB = 32 MiB at most in bodies waiting for their signature check.
  maxConcurrentBodies: 128,
  bodyTimeoutMs: 5_000,
  evictAfterMs: 1_000,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  checkIntervalMs: 1_000,
};

/** The defaults with the given overrides. */
export function httpLimits(overrides: Partial<HttpLimits> = {}): HttpLimits {
  return { ...DEFAULT_HTTP_LIMITS, ...overrides };
}

/** Options for `http.createServer` (Bolt's HTTP receiver passes them through). */
export function serverOptions(limits: HttpLimits): ServerOptions {
  return {
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
  };
}

/** Applies the two timeouts to a server created elsewhere (Socket Mode's health server). */
export function applyServerTimeouts(server: Server, limits: HttpLimits): void {
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  server.requestTimeout = limits.requestTimeoutMs;
}
