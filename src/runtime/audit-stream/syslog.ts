import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import type { AuditSink, WireRecord } from './wire.js';

/** Facility 13 ("log audit", RFC 5424 §6.2.1), severity 5 (notice). */
const PRI = 13 * 8 + 5;
/** The structured data element's id: `audit@32473` (32473 is the enterprise number RFC 5612 reserves for examples). */
export const SD_ID = 'audit@32473';

/** An SD-PARAM value with `"`, `\` and `]` escaped (RFC 5424 §6.3.3). */
const param = (value: string): string => value.replace(/["\\\]]/g, (c) => `\\${c}`);

/** A header field: printable US-ASCII without spaces, at most `max` characters, `-` when empty. */
const field = (value: string, max: number): string =>
  value.replace(/[^\x21-\x7e]/g, '_').slice(0, max) || '-';

/** One record as an RFC 5424 message: the same fields in structured data, the whole record as JSON in MSG. */
export function syslogMessage(record: WireRecord, host: string, pid: number): string {
  const sd = [
    ['seq', String(record.seq)],
    ['hash', record.hash],
    ['prevHash', record.prevHash],
    ['requestId', record.requestId ?? ''],
    ['actor', record.actor],
    ['action', record.action],
    ['head', record.head.anchor],
  ]
    .map(([k, v]) => `${k}="${param(v ?? '')}"`)
    .join(' ');
  const header = `<${PRI}>1 ${record.at} ${field(host, 255)} revoke-sessions ${pid} ${field(record.action, 32)}`;
  return `${header} [${SD_ID} ${sd}] \uFEFF${JSON.stringify(record)}`;
}

/** Octet-counted framing (RFC 6587 §3.4.1): `MSG-LEN SP SYSLOG-MSG`. */
export function frame(message: string): Buffer {
  const bytes = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${bytes.length} `, 'ascii'), bytes]);
}

export interface SyslogOptions {
  protocol: 'tcp' | 'tls';
  host: string;
  port: number;
  /** CA certificates trusted for `tls://` (default: the system's, plus `NODE_EXTRA_CA_CERTS`). */
  ca?: string | Buffer | undefined;
  /** Connecting, and each write (default 10 s). */
  timeoutMs?: number;
}

/**
 * RFC 5424 over one long-lived TCP or TLS connection (certificate and host name verified). A batch
 * is done once the socket took every byte; any error closes the connection and the batch is sent
 * again on a new one (a receiver de-duplicates by `seq`).
 */
export class SyslogSink implements AuditSink {
  readonly name = 'syslog';
  private socket: Socket | undefined;
  private readonly host = hostname();

  constructor(private readonly options: SyslogOptions) {}

  async send(records: readonly WireRecord[]): Promise<void> {
    const socket = await this.connection();
    const data = Buffer.concat(records.map((r) => frame(syslogMessage(r, this.host, process.pid))));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the syslog write timed out')), this.timeout);
        socket.write(data, (error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        });
      });
    } catch (error) {
      this.drop();
      throw error;
    }
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.end(resolve));
  }

  private get timeout(): number {
    return this.options.timeoutMs ?? 10_000;
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connection(): Promise<Socket> {
    const open = this.socket;
    if (open && !open.destroyed && open.writable) return Promise.resolve(open);
    this.drop();
    const { protocol, host, port, ca } = this.options;
    return new Promise<Socket>((resolve, reject) => {
      const socket =
        protocol === 'tls'
          ? tlsConnect({ host, port, ca, servername: isIP(host) ? undefined : host }, () => ready())
          : tcpConnect({ host, port }, () => ready());
      const timer = setTimeout(() => fail(new Error('connecting to syslog timed out')), this.timeout);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const ready = () => {
        clearTimeout(timer);
        socket.setKeepAlive(true);
        // Whatever the receiver sends is ignored; when it closes, the next batch reconnects.
        socket.on('data', () => {});
        socket.on('error', () => socket.destroy());
        socket.on('close', () => {
          if (this.socket === socket) this.socket = undefined;
        });
        this.socket = socket;
        resolve(socket);
      };
      socket.once('error', fail);
    });
  }
}
