import { connect } from 'node:net';

export interface SlowBodyOptions {
  /** The Content-Length announced; the body sent is always shorter than this. */
  contentLength: number;
  /** Send one more byte of body every this many ms (bounded by contentLength); default: send nothing more. */
  trickleMs?: number;
  /** `partial`: stop in the middle of the headers instead. */
  headersOnly?: 'partial';
  /** The request target as sent, any spelling (default `/slack/events`). */
  path?: string;
  /** Extra request headers (e.g. the alert API's bearer token). */
  headers?: Record<string, string>;
  /** Default: form-encoded, as Slack sends. */
  contentType?: string;
}

export interface SlowBody {
  /** Resolves when the server closes the connection: the status it answered, if any, and the bytes sent. */
  closed: Promise<{ status: number | undefined; bytesSent: number }>;
  isOpen(): boolean;
  destroy(): void;
}

function extraHeaders(headers: Record<string, string> = {}): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
}

/**
 * A raw TCP client on 127.0.0.1 that starts an unsigned POST and never finishes it
 * (slow-loris): the headers and a few body bytes, then optionally one byte at a time.
 */
export function openSlowBody(port: number, o: SlowBodyOptions): SlowBody {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let bytesSent = 0;
  let open = true;
  let timer: NodeJS.Timeout | undefined;
  const send = (text: string) => {
    if (!open) return;
    socket.write(text);
    bytesSent += Buffer.byteLength(text);
  };
  socket.on('connect', () => {
    const head = `POST ${o.path ?? '/slack/events'} HTTP/1.1\r\nHost: 127.0.0.1\r\n`;
    if (o.headersOnly === 'partial') {
      socket.write(`${head}Content-Type: application/x-www-`);
      return;
    }
    socket.write(
      `${head}Content-Type: ${o.contentType ?? 'application/x-www-form-urlencoded'}\r\nContent-Length: ${o.contentLength}\r\n` +
        `X-Slack-Request-Timestamp: ${Math.floor(Date.now() / 1000)}\r\nX-Slack-Signature: v0=00\r\n` +
        `${extraHeaders(o.headers)}\r\n`,
    );
    send('text=hello');
    if (o.trickleMs) {
      const interval = o.trickleMs;
      timer = setInterval(() => {
        if (bytesSent >= o.contentLength - 1) clearInterval(timer);
        else send('x');
      }, interval);
    }
  });
  socket.on('data', (d: Buffer) => {
    received += d.toString('latin1');
  });
  socket.on('error', () => {});
  const closed = new Promise<{ status: number | undefined; bytesSent: number }>((resolve) => {
    socket.on('close', () => {
      open = false;
      clearInterval(timer);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(received);
      resolve({ status: m?.[1] ? Number(m[1]) : undefined, bytesSent });
    });
  });
  return {
    closed,
    isOpen: () => open,
    destroy: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

export interface LargeBodyOptions {
  /** The request target as sent, any spelling. */
  path: string;
  /** The body's size, announced as Content-Length unless `chunked`. */
  bytes: number;
  /** Send it with `Transfer-Encoding: chunked` instead of a Content-Length. */
  chunked?: boolean;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface LargeBodyEnd {
  /** The status the server answered, if any. */
  status: number | undefined;
  /** Body bytes written before the server answered or closed the connection. */
  bytesSent: number;
}

/**
 * A raw TCP client that POSTs an unsigned body of `bytes` bytes in 64 KiB pieces, pausing
 * between them, and stops sending as soon as the server answers or closes: the bytes sent
 * show how much of the body the server waited for before answering.
 */
export function sendLargeBody(port: number, o: LargeBodyOptions): Promise<LargeBodyEnd> {
  const PIECE = 64 * 1024;
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let bytesSent = 0;
    let ended = false;
    const status = () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(received);
      return m?.[1] ? Number(m[1]) : undefined;
    };
    const end = () => {
      if (ended) return;
      ended = true;
      socket.destroy();
      resolve({ status: status(), bytesSent });
    };
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      if (received.includes('\r\n\r\n')) end();
    });
    socket.on('error', end);
    socket.on('close', end);
    socket.on('connect', async () => {
      const length = o.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${o.bytes}`;
      socket.write(
        `POST ${o.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${o.contentType ?? 'application/x-www-form-urlencoded'}\r\n` +
          `${length}\r\nX-Slack-Request-Timestamp: ${Math.floor(Date.now() / 1000)}\r\nX-Slack-Signature: v0=00\r\n` +
          `${extraHeaders(o.headers)}\r\n`,
      );
      while (!ended && bytesSent < o.bytes) {
        const size = Math.min(PIECE, o.bytes - bytesSent);
        const piece = 'x'.repeat(size);
        socket.write(o.chunked ? `${size.toString(16)}\r\n${piece}\r\n` : piece);
        bytesSent += size;
        await new Promise((r) => setTimeout(r, 10));
      }
      if (!ended && o.chunked) socket.write('0\r\n\r\n');
    });
  });
}
