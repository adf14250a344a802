import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local stand-in for a slash command's `response_url`. */
export interface ResponseUrl<T = unknown> {
  url: string;
  /** Every JSON body posted to it, in order. */
  bodies: T[];
  close(): Promise<void>;
}

/** Where Slack's response_url points in the tests: records what the app posts to it (answering 200). */
export async function responseUrl<T = unknown>(): Promise<ResponseUrl<T>> {
  const bodies: T[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/commands/response`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
