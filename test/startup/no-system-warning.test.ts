import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEMS } from '../../src/providers/registry.js';
import { FakeMattermost } from '../fakes/mattermost.js';
import { logRecords, type MainProcess, spawnMain } from '../helpers/main-process.js';

const BASE = {
  SLACK_BOT_TOKEN: 'xoxb-test-no-system-warning-bot-made-up',
  SLACK_SIGNING_SECRET: 'signing-secret-value-123',
  REVOKE_REQUESTERS: 'U0123ABC',
  SLACK_API_URL: 'http://127.0.0.1:9/api/',
  PORT: '0',
  LOG_FORMAT: 'json',
};

describe('start-up with no system configured', () => {
  let child: MainProcess | undefined;
  const mattermost = new FakeMattermost();
  beforeAll(async () => {
    await mattermost.start();
  });
  afterEach(async () => {
    await child?.cleanup();
    child = undefined;
  });
  afterAll(async () => {
    await mattermost.close();
  });

  it('starts, and warns that no request can end a session, naming how to turn each system on', async () => {
    child = spawnMain(BASE);
    await child.waitFor(/No system is configured/);
    const warning = logRecords(child).find((l) => /No system is configured/.test(l.msg));
    expect(warning?.level).toBe('warn');
    for (const s of SYSTEMS) expect(warning?.msg).toContain(s.enableWith);
    expect(logRecords(child).find((l) => /listening/.test(l.msg))?.msg).toMatch(/systems: none/);
  });

  it('says nothing of the kind when a system is configured', async () => {
    child = spawnMain({ ...BASE, ...mattermost.env() });
    await child.waitFor(/listening/);
    // The warning would follow the listening line at once.
    await new Promise((r) => setTimeout(r, 200));
    expect(logRecords(child).find((l) => /listening/.test(l.msg))?.msg).toMatch(/systems: Mattermost;/);
    expect(child.output()).not.toMatch(/No system is configured/);
  });
});
