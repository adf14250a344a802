import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { webApiFetch } from '../../src/http/slack-transport.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { SlackApi } from '../../src/providers/slack-admin/client.js';
import { DirectWebClient } from '../../src/providers/slack-admin/direct-client.js';
import { FakeSlack } from '../fakes/slack.js';
import { captureLogs } from '../helpers/capture.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, SECRETS, startHarness, user } from '../helpers/harness.js';

const USER = z.object({ ok: z.literal(true), user: z.object({ id: z.string() }) });

/** The Slack Web API clients' transport (one keep-alive pool) and SlackApi's direct calls. */
describe('the Slack Web API transport', () => {
  let h: Harness | undefined;
  let fake: FakeSlack | undefined;
  afterEach(async () => {
    await h?.close();
    await fake?.close();
    h = undefined;
    fake = undefined;
    vi.restoreAllMocks();
  });
  async function startFake(): Promise<FakeSlack> {
    fake = new FakeSlack({ botToken: SECRETS.bot, adminToken: SECRETS.admin });
    await fake.start();
    fake.addUser(user('UALICE', 'alice@example.com'));
    return fake;
  }

  it('at LOG_LEVEL=info: modal, preview and a revocation, every Web API call on the shared pool', async () => {
    const globalFetch = vi.spyOn(globalThis, 'fetch');
    h = await startHarness({ LOG_LEVEL: 'info' });
    const harness = h;
    harness.slack.sessions = [
      { user_id: 'UALICE', session_id: 7, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
    await harness.command({ text: '<@UALICE|alice>' });
    await harness.slack.waitFor(() =>
      harness.slack.callsTo('views.update').find((c) => /active session/.test(JSON.stringify(c.args.view))),
    );
    await harness.interact(submission(formValues({ target: 'UALICE' })));
    const request = await harness.slack.waitFor(async () => {
      const [r] = await harness.app.store.listRequestsForTarget('UALICE', 1);
      return r?.status === 'done' ? r : undefined;
    });
    expect(request.status).toBe('done');
    expect(harness.slack.sessions).toEqual([]);
    expect(harness.slack.callsTo('views.open')).toHaveLength(1);
    expect(harness.slack.callsTo('users.info').length).toBeGreaterThan(0);
    // Bolt's calls (views.open, views.update, chat.postMessage) and ours: none through Node's fetch.
    const slackCalls = globalFetch.mock.calls.filter(([url]) => String(url).startsWith(harness.slack.url));
    expect(slackCalls).toEqual([]);
  });

  it('SlackApi builds no debug line while our logger is above debug; at debug, WebClient’s lines, redacted', async () => {
    const slack = await startFake();
    const lines: string[] = [];
    const logger = new RedactingLogger(new Redactor([SECRETS.bot]), 'info', captureLogs(lines));
    const api = new SlackApi(SECRETS.bot, { apiUrl: slack.url, logger, tokenVar: 'SLACK_BOT_TOKEN' });
    expect(api.web).toBeInstanceOf(DirectWebClient);
    const debug = vi.spyOn(logger, 'debug');
    await expect(api.call('users.info', { user: 'UALICE' }, USER)).resolves.toMatchObject({
      user: { id: 'UALICE' },
    });
    expect(debug).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    logger.setLevel('debug'); // read at every call
    await api.call('users.info', { user: 'UALICE' }, USER);
    expect(lines.some((l) => l.includes('http request body'))).toBe(true);
    expect(lines.join('\n')).not.toContain(SECRETS.bot);
  });

  it('webApiFetch gives WebClient the same result as Node’s fetch, without calling it', async () => {
    const slack = await startFake();
    const globalFetch = vi.spyOn(globalThis, 'fetch');
    const viaGlobal = await new WebClient(SECRETS.bot, { slackApiUrl: slack.url }).users.info({
      user: 'UALICE',
    });
    expect(globalFetch).toHaveBeenCalledTimes(1);
    const viaPool = await new WebClient(SECRETS.bot, {
      slackApiUrl: slack.url,
      fetch: webApiFetch(slack.url),
    }).users.info({ user: 'UALICE' });
    expect(globalFetch).toHaveBeenCalledTimes(1);
    expect(viaPool).toEqual(viaGlobal);
    const [first, second] = slack.callsTo('users.info');
    expect(second?.args).toEqual(first?.args);
    expect(second?.token).toBe(SECRETS.bot);
  });

  it('webApiFetch hands any other URL (Bolt’s respond() to a response_url) to Node’s fetch', async () => {
    const slack = await startFake();
    const globalFetch = vi.spyOn(globalThis, 'fetch');
    const elsewhere = slack.url.replace('/api/', '/hooks/T1/B1/x');
    const res = await webApiFetch(slack.url)(elsewhere, { method: 'POST', body: '{"text":"hi"}' });
    expect(globalFetch).toHaveBeenCalledTimes(1);
    expect(res.status).toBeGreaterThan(0);
  });

  it('webApiFetch refuses a redirect, as fetch with redirect: "error" does', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(302, { location: 'http://example.com/' });
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
    try {
      await expect(
        webApiFetch(base)(`${base}users.info`, { method: 'POST', body: '', redirect: 'error' }),
      ).rejects.toThrow(/redirect/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
