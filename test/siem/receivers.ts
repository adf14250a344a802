import { execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

/** One record as the receivers keep it: the fields every SIEM sink carries. */
export interface Received {
  seq: number;
  hash: string;
  prevHash: string;
  requestId: string | null;
  action: string;
  actor: string;
  head: { seq: number; hash: string; anchor: string };
}

/**
 * A SIEM's webhook endpoint as docs/siem.md describes it: checks `X-Revoke-Signature`
 * (`t=…,v1=<HMAC-SHA256 of "t.body">`), refuses a stale timestamp, and keeps every record of every
 * accepted batch in arrival order (duplicates too: the test de-duplicates by `seq`, as a SIEM does).
 */
export class WebhookReceiver {
  readonly deliveries: Received[] = [];
  /** Batches whose signature did not verify (must stay 0). */
  badSignatures = 0;
  /** Answer 503 to everything while true (an outage). */
  down = false;
  /** Called with each batch before it is answered; true leaves it unanswered (the sender was killed). */
  onBatch?: (records: Received[]) => Promise<boolean> | boolean;
  private server: HttpServer | undefined;
  url = '';

  constructor(private readonly secret: string) {}

  async start(): Promise<void> {
    this.server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          if (this.down) return void res.writeHead(503).end('down');
          const body = Buffer.concat(chunks).toString('utf8');
          if (!this.verify(String(req.headers['x-revoke-signature'] ?? ''), body)) {
            this.badSignatures += 1;
            return void res.writeHead(401).end();
          }
          const records = (JSON.parse(body) as { records: Received[] }).records;
          if (await this.onBatch?.(records)) return;
          this.deliveries.push(...records);
          res.writeHead(204).end();
        })();
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/siem/revoke`;
  }

  verify(header: string, body: string): boolean {
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    if (!m) return false;
    const t = Number(m[1]);
    if (Math.abs(Date.now() / 1000 - t) > 300) return false;
    const want = createHmac('sha256', this.secret).update(`${t}.${body}`).digest();
    return timingSafeEqual(want, Buffer.from(m[2] ?? '', 'hex'));
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

/** One RFC 5424 message: its header fields, its structured data params, and its MSG. */
export interface SyslogMessage {
  pri: number;
  version: string;
  appName: string;
  msgId: string;
  sdId: string;
  params: Record<string, string>;
  msg: string;
}

const SYSLOG = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) \[(\S+) ((?:[^\]\\]|\\.)*)\] \uFEFF(.*)$/s;

/** Parses one message of ours (one SD-ELEMENT, then a BOM and the record's JSON). */
export function parseSyslog(text: string): SyslogMessage {
  const m = SYSLOG.exec(text);
  if (!m) throw new Error(`not an RFC 5424 message: ${text.slice(0, 120)}`);
  const params: Record<string, string> = {};
  for (const p of (m[9] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
    params[p[1] ?? ''] = (p[2] ?? '').replace(/\\(["\\\]])/g, '$1');
  return {
    pri: Number(m[1]),
    version: m[2] ?? '',
    appName: m[5] ?? '',
    msgId: m[7] ?? '',
    sdId: m[8] ?? '',
    params,
    msg: m[10] ?? '',
  };
}

/** A syslog collector over TCP or TLS reading octet-counted frames (RFC 6587 §3.4.1). */
export class SyslogReceiver {
  readonly messages: SyslogMessage[] = [];
  /** Bytes that were not a well-formed frame (must stay empty). */
  readonly garbage: string[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly tls?: { key: string; cert: string }) {}

  /** Listens (again on the same port after {@link close}, when it had one). */
  async start(): Promise<void> {
    const onSocket = (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      let buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (;;) {
          const space = buffer.indexOf(0x20);
          if (space < 0) return;
          const lengthText = buffer.subarray(0, space).toString('ascii');
          if (!/^[1-9]\d*$/.test(lengthText)) {
            this.garbage.push(buffer.toString('utf8').slice(0, 200));
            return void socket.destroy();
          }
          const length = Number(lengthText);
          if (buffer.length < space + 1 + length) return;
          this.messages.push(parseSyslog(buffer.subarray(space + 1, space + 1 + length).toString('utf8')));
          buffer = buffer.subarray(space + 1 + length);
        }
      });
    };
    this.server = this.tls
      ? createTlsServer({ key: this.tls.key, cert: this.tls.cert }, onSocket)
      : createTcpServer(onSocket);
    await new Promise<void>((r) => this.server?.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server?.close(r));
  }
}

/** A self-signed certificate for `localhost` and 127.0.0.1, made now with openssl (a day's validity). */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'revoke-siem-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `seq`s in first-arrival order, duplicates dropped (what a SIEM keeps). */
export const firstArrivals = (seqs: readonly number[]): number[] => [...new Set(seqs)];

export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting');
}
