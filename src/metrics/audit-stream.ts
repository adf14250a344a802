import { Gauge, type Registry } from 'prom-client';
import type { AuditStreamHealth } from '../runtime/readiness.js';

/**
 * The SIEM stream's gauges, read at scrape time from the store (any replica's cursor): how many
 * audit records each sink has not accepted yet, and for how long it has been failing.
 */
export function auditStreamGauges(
  registry: Registry,
  read: () => Promise<AuditStreamHealth[]>,
  now: () => Date,
): void {
  const registers = [registry];
  new Gauge({
    name: 'revoke_audit_stream_lag_records',
    help: 'Audit records written and not yet accepted by a SIEM sink (webhook, syslog).',
    labelNames: ['sink'],
    registers,
    async collect() {
      this.reset();
      for (const s of await read().catch(() => [])) this.set({ sink: s.sink }, s.lag);
    },
  });
  new Gauge({
    name: 'revoke_audit_stream_failing_seconds',
    help: 'How long a SIEM sink has been failing (0 while it accepts records).',
    labelNames: ['sink'],
    registers,
    async collect() {
      this.reset();
      for (const s of await read().catch(() => [])) {
        const since = s.failingSince ? (now().getTime() - Date.parse(s.failingSince)) / 1000 : 0;
        this.set({ sink: s.sink }, Math.max(0, since));
      }
    },
  });
}
