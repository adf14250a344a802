import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_SLACK_TOKENS, FakeSlack, fakeUser } from '../../fakes/slack.js';
import { FAKE_SYSTEMS, type FakeSystem, slackSystem } from '../../fakes/systems.js';
import { SYSTEMS, type SystemId } from '../../providers/registry.js';

/** The people of the demo organization. */
export const DEMO_PEOPLE = {
  /** Whose laptop was stolen: sessions in every system. */
  alice: { slackUserId: 'UALICE', email: 'alice@example.com' },
  /** The security engineer who asks (REVOKE_REQUESTERS). */
  bob: { slackUserId: 'UBOB', email: 'bob@example.com' },
  /** The approver (REVOKE_APPROVERS). */
  carol: { slackUserId: 'UCAROL', email: 'carol@example.com' },
  /** Left for the `--slack` part: sessions in every system, for a request driven by hand. */
  dave: { slackUserId: 'UDAVE', email: 'dave@example.com' },
} as const;

/** The channel where approval cards and results go. */
export const DEMO_CHANNEL = 'C0SECURITY';

/** The live sessions each seeded person starts with, in every system that keeps sessions. */
const SESSIONS_EACH = 2;

/** Every system's fake, started and seeded, and the environment that points the app at them. */
export interface DemoWorld {
  /** Each system's fake, in the registry's order. */
  systems: Map<SystemId, FakeSystem>;
  /** The fake Slack Web API (the Slack system's admin methods and the bot's directory). */
  slack: FakeSlack;
  /** A complete configuration: every system, the Slack basics, a temporary SQLite store. */
  env: Record<string, string>;
  /** The walk-through's store: a temporary SQLite file. */
  databaseUrl: string;
  /** The Slack app's store (`--slack`), beside it: the app starts with nothing left to deliver. */
  slackDatabaseUrl: string;
  /** Stops every fake and removes the temporary folder (unless the database is to be kept). */
  close(o?: { keepDatabase?: boolean }): Promise<void>;
}

/**
 * Starts a fake of every registered system on 127.0.0.1 (the fakes the tests use: each answers as
 * its vendor documents), seeds the demo people and their sessions, and makes a temporary folder
 * for the store. Nothing here reaches the network or reads the operator's `.env`.
 */
export async function startDemoWorld(): Promise<DemoWorld> {
  const slack = new FakeSlack({
    botToken: FAKE_SLACK_TOKENS.bot,
    adminToken: FAKE_SLACK_TOKENS.admin,
    memberChannels: [DEMO_CHANNEL],
  });
  const systems = new Map<SystemId, FakeSystem>();
  for (const { id } of SYSTEMS) systems.set(id, id === 'slack' ? slackSystem(slack) : FAKE_SYSTEMS[id]());
  const dir = mkdtempSync(join(tmpdir(), 'revoke-sessions-demo-'));
  const started: FakeSystem[] = [];
  const close = async (o: { keepDatabase?: boolean } = {}) => {
    await Promise.all(started.map((s) => s.close()));
    if (!o.keepDatabase) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const system of systems.values()) {
      await system.start();
      started.push(system);
    }
    for (const name of ['alice', 'dave'] as const) {
      for (const system of systems.values())
        system.addPerson({
          name,
          email: DEMO_PEOPLE[name].email,
          sessions: SESSIONS_EACH,
          // Documentation addresses (RFC 5737), used half an hour ago.
          seen: {
            ip: name === 'alice' ? '203.0.113.7' : '198.51.100.23',
            at: new Date(Date.now() - 1_800_000),
          },
        });
    }
    for (const name of ['bob', 'carol'] as const)
      slack.addUser(fakeUser(DEMO_PEOPLE[name].slackUserId, DEMO_PEOPLE[name].email));
  } catch (error) {
    await close();
    throw error;
  }
  const databaseUrl = `sqlite:${join(dir, 'demo.db')}`;
  const slackDatabaseUrl = `sqlite:${join(dir, 'slack.db')}`;
  const env: Record<string, string> = {
    ...Object.assign({}, ...[...systems.values()].map((s) => s.env())),
    SLACK_BOT_TOKEN: FAKE_SLACK_TOKENS.bot,
    REVOKE_REQUESTERS: DEMO_PEOPLE.bob.slackUserId,
    REVOKE_APPROVERS: DEMO_PEOPLE.carol.slackUserId,
    REVOKE_REQUIRE_APPROVAL: 'true',
    REVOKE_APPROVAL_CHANNEL: DEMO_CHANNEL,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'pretty',
  };
  return { systems, slack, env, databaseUrl, slackDatabaseUrl, close };
}
