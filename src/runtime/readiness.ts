import type { OutboxHealth } from '../engine/store-port/index.js';

export type { OutboxHealth };

/**
 * What `/readyz` may ask of the store, and nothing else: whether it answers, and how the outbox is
 * doing. The store satisfies it; the health routes hold only this port, never the store.
 */
export interface ReadinessProbe {
  /** Resolves when the store answers a cheap query. */
  ping(): Promise<void>;
  /** Effects waiting for delivery, and those that failed for good. */
  outboxHealth(): Promise<OutboxHealth>;
  /** Each SIEM sink's lag and failure, when audit streaming is on (docs/siem.md). */
  siemHealth?(): Promise<AuditStreamHealth[]>;
}

/** How far one SIEM sink is behind the audit log, and since when it fails. */
export interface AuditStreamHealth {
  sink: string;
  /** Records written and not yet accepted by the sink. */
  lag: number;
  failingSince: string | undefined;
}
