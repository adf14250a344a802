/**
 * Where the commands' `response_url` points during a benchmark: a local HTTP server that
 * records, per path, what the app posts there (the busy message) and when.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monoMs } from './clock.js';

export interface Caught {
  /** Monotonic ms (clock.ts) when the whole body had arrived. */
  at: number;
  body: unknown;
}

export interface ResponseCatcher {
  /** `http://127.0.0.1:<port>/r/<key>`: a response_url whose posts are filed under `key`. */
  urlFor(key: string): string;
  /** What was posted under `key`, in order. */
  posts(key: string): Caught[];
  /** Every post so far. */
  total(): number;
  close(): Promise<void>;
}

export async function startResponseCatcher(): Promise<ResponseCatcher> {
  const byKey = new Map<string, Caught[]>();
  let total = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = monoMs();
      const key = decodeURIComponent((req.url ?? '').replace(/^\/r\//, ''));
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = Buffer.concat(chunks).toString('utf8');
      }
      byKey.set(key, [...(byKey.get(key) ?? []), { at, body }]);
      total += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlFor: (key) => `http://127.0.0.1:${port}/r/${encodeURIComponent(key)}`,
    posts: (key) => byKey.get(key) ?? [],
    total: () => total,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
