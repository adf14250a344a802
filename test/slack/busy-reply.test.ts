import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { replyEphemeral } from '../../src/slack/busy-reply.js';

/** The busy message through response_url: one JSON POST; anything but a 2xx lets the caller fall back. */
describe('replyEphemeral', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function answering(status: number, headers: Record<string, string> = {}) {
    const bodies: { type: string | undefined; body: unknown }[] = [];
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => {
        raw += c.toString('utf8');
      });
      req.on('end', () => {
        bodies.push({ type: req.headers['content-type'], body: JSON.parse(raw) });
        res.writeHead(status, headers).end('ok');
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', () => resolve()));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/commands/T1/1/x`, bodies };
  }

  it('posts the ephemeral message as JSON', async () => {
    const hook = await answering(200);
    await replyEphemeral(hook.url, 'busy <now>');
    expect(hook.bodies).toEqual([
      { type: 'application/json; charset=utf-8', body: { response_type: 'ephemeral', text: 'busy <now>' } },
    ]);
  });

  it('rejects an error answer, a redirect and a URL that is not http(s)', async () => {
    const failing = await answering(500);
    await expect(replyEphemeral(failing.url, 'busy')).rejects.toThrow(/HTTP 500/);
    server?.close();
    const moved = await answering(302, { location: 'http://127.0.0.1:9/elsewhere' });
    await expect(replyEphemeral(moved.url, 'busy')).rejects.toThrow(/redirect refused/);
    await expect(replyEphemeral('file:///etc/passwd', 'busy')).rejects.toThrow(/not an http\(s\) URL/);
  });
});
