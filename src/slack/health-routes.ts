import type { CustomRoute } from '@slack/bolt';
import type { AuditStreamHealth, OutboxHealth, ReadinessProbe } from '../runtime/readiness.js';
import { VERSION } from '../version.js';
import type { SocketConnection } from './socket-connection.js';

export interface HealthDeps {
  mode: 'http' | 'socket';
  systems: string[];
  /** The store, as far as readiness asks it (a read-only port). */
  probe: ReadinessProbe;
  /** The Socket Mode connection (Socket Mode only). */
  connection?: SocketConnection | undefined;
  /** How long the store may take to answer the readiness query (default 2 s). */
  storeTimeoutMs?: number;
  /** Scrubs secrets from a driver's error message before it is shown. */
  redact: (text: string) => string;
}

function json(res: Parameters<CustomRoute['handler']>[1], status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function storeCheck(
  probe: ReadinessProbe,
  timeoutMs: number,
  redact: (text: string) => string,
): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return undefined;
  } catch (error) {
    // The driver's message only (never a connection string): e.g. "The database connection is not open".
    return `the store does not answer (${error instanceof Error ? redact(error.message).slice(0, 200) : 'error'})`;
  } finally {
    clearTimeout(timer);
  }
}

/** The outbox in a sentence: "ok", or how many effects wait and which failed for good. */
export function outboxDetail(o: OutboxHealth): string {
  const failed = o.failed.reduce((n, f) => n + f.count, 0);
  if (o.pending === 0 && failed === 0) return 'ok';
  const parts = [
    o.pending > 0
      ? `${o.pending} effect(s) waiting for delivery since ${o.oldestPendingAt ?? 'now'}`
      : undefined,
    failed > 0
      ? `${failed} failed for good (${o.failed.map((f) => `${f.kind}: ${f.count}`).join(', ')}); see \`revoke-sessions status\``
      : undefined,
  ];
  return parts.filter(Boolean).join('; ');
}

/** The SIEM stream in a sentence: "ok", or each sink behind and since when it fails. */
export function auditStreamDetail(sinks: readonly AuditStreamHealth[]): string {
  const behind = sinks.filter((s) => s.failingSince !== undefined);
  if (behind.length === 0) return 'ok';
  return behind
    .map((s) => `${s.sink}: ${s.lag} audit record(s) not delivered, failing since ${s.failingSince}`)
    .join('; ');
}

/**
 * `GET /healthz`: liveness (the process answers). `GET /readyz`: 200 only when
 * the store answers a cheap query and, in Socket Mode, the connection to Slack
 * is up; otherwise 503 with the reasons. Both carry the app's version; readiness
 * also says how the outbox is doing (effects waiting, effects failed for good).
 */
export function healthRoutes(deps: HealthDeps): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) =>
        json(res, 200, { status: 'ok', version: VERSION, mode: deps.mode, systems: deps.systems }),
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        void (async () => {
          const reasons: string[] = [];
          const store = await storeCheck(deps.probe, deps.storeTimeoutMs ?? 2_000, deps.redact);
          if (store) reasons.push(store);
          // The outbox is a detail, never a reason to take the replica out of service: a card that
          // Slack refuses for good must not stop revocations. Failed effects are named here.
          const outbox = store ? undefined : await deps.probe.outboxHealth().catch(() => undefined);
          // Likewise the SIEM stream: an outage is shown, and revocations go on.
          const siem = store ? undefined : await deps.probe.siemHealth?.().catch(() => undefined);
          const slack = deps.connection?.status();
          if (slack && slack.state !== 'connected') {
            reasons.push(`Socket Mode is ${slack.state}: ${slack.reason ?? 'not connected to Slack'}`);
          }
          json(res, reasons.length === 0 ? 200 : 503, {
            status: reasons.length === 0 ? 'ready' : 'not_ready',
            version: VERSION,
            mode: deps.mode,
            checks: {
              store: store ?? 'ok',
              ...(slack ? { slack: slack.state } : {}),
              ...(outbox ? { outbox: outboxDetail(outbox) } : {}),
              ...(siem ? { auditStream: auditStreamDetail(siem) } : {}),
            },
            ...(reasons.length > 0 ? { reasons } : {}),
          });
        })();
      },
    },
  ];
}
