import { connect } from 'node:net';

export interface SlowBodyOptions {
  /** The Content-Length announced; the body sent is always shorter than this. */
  contentLength: number;
  /** Send one more byte of body every this many ms (bounded by contentLength); default: send nothing more. */
  trickleMs?: number;
  /** `partial`: stop in the middle of the headers instead. */
  headersOnly?: 'partial';
  path?: string;
}

export interface SlowBody {
  /** Resolves when the server closes the connection: the status it answered, if any, and the bytes sent. */
  closed: Promise<{ status: number | undefined; bytesSent: number }>;
  isOpen(): boolean;
  destroy(): void;
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
      `${head}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${o.contentLength}\r\n` +
        `X-Slack-Request-Timestamp: ${Math.floor(Date.now() / 1000)}\r\nX-Slack-Signature: v0=00\r\n\r\n`,
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
