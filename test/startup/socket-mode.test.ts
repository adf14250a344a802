import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { logRecords, type MainProcess, spawnMain } from '../helpers/main-process.js';

const APP_TOKEN = 'xapp-1-A0123-4567-socketmodeapptokensecret';
const BOT = 'xoxb-5555-7777-socketmodebottoken';

interface Readiness {
  status: string;
  version: string;
  checks: { store: string; slack?: string; outbox?: string };
  reasons?: string[];
}

/** A stand-in for slack.com/api: apps.connections.open answers `answer`; everything else `{ok:false}`. */
async function fakeSlackApi(answer: (port: number) => unknown): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const port = (server.address() as AddressInfo).port;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          req.url?.includes('apps.connections.open') ? answer(port) : { ok: false, error: 'unknown_method' },
        ),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/` };
}

function env(slackApiUrl: string) {
  return {
    SLACK_BOT_TOKEN: BOT,
    SLACK_APP_TOKEN: APP_TOKEN,
    REVOKE_REQUESTERS: 'U0123ABC',
    SLACK_API_URL: slackApiUrl,
    PORT: '0',
  };
}

async function readyz(child: MainProcess): Promise<{ status: number; body: Readiness }> {
  const [, port] = await child.waitFor(/on port (\d+)/);
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness };
}

describe('Socket Mode start-up tells the truth', () => {
  let child: MainProcess | undefined;
  let slack: Server | undefined;
  afterEach(async () => {
    await child?.cleanup();
    await new Promise((r) => (slack ? slack.close(r) : r(undefined)));
    child = undefined;
    slack = undefined;
  });

  it('invalid_auth: serves health, is not ready, names SLACK_APP_TOKEN, and stops on SIGTERM with 0', async () => {
    const api = await fakeSlackApi(() => ({ ok: false, error: 'invalid_auth' }));
    slack = api.server;
    child = spawnMain(env(api.url));
    await child.waitFor(/Slack rejected SLACK_APP_TOKEN/);
    const { status, body } = await readyz(child);
    expect(status).toBe(503);
    expect(body.status).toBe('not_ready');
    expect(body.checks).toEqual({ store: 'ok', slack: 'disconnected', outbox: 'ok' });
    expect(body.reasons?.[0]).toMatch(
      /^Socket Mode is disconnected: Slack rejected SLACK_APP_TOKEN \(invalid_auth\)/,
    );
    const [, port] = await child.waitFor(/on port (\d+)/);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { version: string }).version).toMatch(/^\d+\.\d+\.\d+/);
    const named = logRecords(child).find((r) => r.msg.includes('SLACK_APP_TOKEN'));
    expect(named?.level).toBe('error');
    expect(named?.msg).toMatch(/not connected to Slack: Slack rejected SLACK_APP_TOKEN \(invalid_auth\)/);

    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(logRecords(child).some((r) => r.msg.startsWith('SIGTERM: stopping — no new work'))).toBe(true);
    expect(child.output()).not.toContain(APP_TOKEN);
    expect(child.output()).not.toContain(BOT);
  }, 30_000);

  it('Slack unreachable: says it is not connected, readyz 503, and SIGTERM during the wait exits 0', async () => {
    child = spawnMain(env('http://127.0.0.1:9/api/'));
    await child.waitFor(/Socket Mode: not connected to Slack: cannot reach Slack/);
    const { status, body } = await readyz(child);
    expect(status).toBe(503);
    expect(body.reasons?.[0]).toMatch(/cannot reach Slack .*check SLACK_API_URL/);
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.output()).not.toContain(APP_TOKEN);
  }, 30_000);

  it('becomes ready once Slack says hello on the socket', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (socket) => socket.send(JSON.stringify({ type: 'hello', num_connections: 1 })));
    const wsPort = (wss.address() as AddressInfo).port;
    const api = await fakeSlackApi(() => ({ ok: true, url: `ws://127.0.0.1:${wsPort}/link` }));
    slack = api.server;
    try {
      child = spawnMain(env(api.url));
      await child.waitFor(/Socket Mode: connected to Slack/);
      const { status, body } = await readyz(child);
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'ready', checks: { store: 'ok', slack: 'connected' } });

      // Events flow through the real app over the socket: a slash command is acknowledged by its envelope.
      const [socket] = [...wss.clients];
      const acked = new Promise<{ envelope_id?: string }>((resolve) =>
        socket?.on('message', (data) => resolve(JSON.parse(String(data)) as { envelope_id?: string })),
      );
      socket?.send(
        JSON.stringify({
          type: 'slash_commands',
          envelope_id: 'env-1',
          accepts_response_payload: true,
          payload: {
            command: '/revoke-sessions',
            text: 'help',
            user_id: 'U0123ABC',
            user_name: 'requester',
            team_id: 'T1',
            channel_id: 'C0SEC',
            trigger_id: 'trig-1',
            response_url: 'http://127.0.0.1:9/commands/response',
            api_app_id: 'A1',
          },
        }),
      );
      expect((await acked).envelope_id).toBe('env-1');

      // Slack drops the connection: not ready until the app has reconnected by itself.
      const connects = () => child?.output().match(/Socket Mode: connected to Slack/g)?.length ?? 0;
      for (const c of wss.clients) c.terminate();
      await child.waitFor(/Socket Mode: not connected to Slack \(disconnected from Slack\)/);
      const deadline = Date.now() + 10_000;
      while (connects() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(connects()).toBe(2);
      expect((await readyz(child)).status).toBe(200);
      child.proc.kill('SIGTERM');
      expect(await child.exited).toBe(0);
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    }
  }, 30_000);
});
