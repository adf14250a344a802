import type { SiemConfig } from '../../config/siem.js';
import type { Store } from '../../engine/store-port/index.js';
import type { Logger } from '../../log.js';
import { AuditStreamer, type AuditStreamerOptions } from './streamer.js';
import { SyslogSink } from './syslog.js';
import { WebhookSink } from './webhook.js';
import type { AuditSink } from './wire.js';

export interface AuditStreamBuildOptions extends AuditStreamerOptions {
  /** CA certificates trusted for `tls://` syslog (default: the system's and `NODE_EXTRA_CA_CERTS`). */
  syslogCa?: string | undefined;
  /** Per webhook POST / syslog write (default 10 s). */
  timeoutMs?: number | undefined;
}

/** The SIEM streamer for the configured sinks, or undefined when none is configured. */
export function buildAuditStreamer(
  siem: SiemConfig,
  deps: { store: Store; logger: Logger; now: () => Date },
  options: AuditStreamBuildOptions = {},
): AuditStreamer | undefined {
  const { syslogCa, timeoutMs, ...streamer } = options;
  const sinks: AuditSink[] = [];
  if (siem.webhook) sinks.push(new WebhookSink({ ...siem.webhook, now: deps.now, timeoutMs }));
  if (siem.syslog) sinks.push(new SyslogSink({ ...siem.syslog, ca: syslogCa, timeoutMs }));
  if (sinks.length === 0) return undefined;
  return new AuditStreamer(deps.store, sinks, deps.logger, { now: deps.now, ...streamer });
}
