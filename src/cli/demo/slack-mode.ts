import type { AddressInfo } from 'node:net';
import { buildApplication } from '../../application.js';
import { enabledSystems, loadConfig } from '../../config.js';
import { IDS } from '../../slack/blocks/ids.js';
import { type Io, safe } from '../output.js';
import {
  buttonClick,
  commandBody,
  curlLine,
  DEMO_SIGNING_SECRET,
  formSubmission,
  interactionBody,
} from './slack-requests.js';
import { DEMO_REASON } from './walkthrough.js';
import { DEMO_CHANNEL, DEMO_PEOPLE, type DemoWorld } from './world.js';

/** A message's text on one line, bounded (mrkdwn, as the app sent it). */
function oneLine(text: unknown): string {
  const flat = safe(typeof text === 'string' ? text : '')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** The value of the first button with `actionId` anywhere in a message's blocks. */
function buttonValue(blocks: unknown, actionId: string): string | undefined {
  if (Array.isArray(blocks)) {
    for (const b of blocks) {
      const found = buttonValue(b, actionId);
      if (found) return found;
    }
  } else if (blocks && typeof blocks === 'object') {
    const o = blocks as Record<string, unknown>;
    if (o.action_id === actionId && typeof o.value === 'string') return o.value;
    for (const v of Object.values(o)) {
      const found = buttonValue(v, actionId);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * `demo --slack`: the Slack app itself (HTTP mode, 127.0.0.1) against the demo's fake Slack, and
 * the curl lines that drive it as Slack would — the slash command, the form's submission, the
 * approver's click — each printed once the app has answered the step before (they carry the ids
 * it made). What the app sends to Slack is printed as it arrives. Runs until `stopped`.
 */
export async function runSlackDemo(
  world: DemoWorld,
  io: Io,
  o: { port: number; stopped: Promise<void> },
): Promise<void> {
  const config = loadConfig({
    ...world.env,
    SLACK_SIGNING_SECRET: DEMO_SIGNING_SECRET,
    PORT: String(o.port),
  });
  const app = await buildApplication(config, { host: '127.0.0.1', logSink: (line) => io.err(line) });
  try {
    const server = await app.start();
    const port = (server?.address() as AddressInfo | null)?.port ?? o.port;
    const url = `http://127.0.0.1:${port}`;
    const { bob, carol, dave } = DEMO_PEOPLE;
    const step = (what: string, body: string) => io.out(`\n   ${what}\n   ${curlLine(url, body)}\n`);
    let formShown = false;
    // The results card is redrawn as each system finishes: only a change of its text is shown.
    const lastText = new Map<string, string>();
    world.slack.afterApply = (method, args) => {
      const said = (what: string) => io.out(`   Slack ← ${what}`);
      if (method === 'views.open') {
        said('views.open: bob sees the request form, dave already chosen');
        const viewId = [...world.slack.views.keys()].at(-1) ?? 'V0';
        const view = args.view as { private_metadata?: string } | undefined;
        if (!formShown)
          step(
            'bob submits the form (every system, all sessions, a reason):',
            interactionBody(
              formSubmission({
                userId: bob.slackUserId,
                viewId,
                privateMetadata: view?.private_metadata ?? '',
                targetUserId: dave.slackUserId,
                systems: enabledSystems(config),
                reason: DEMO_REASON,
              }),
            ),
          );
        formShown = true;
      } else if (method === 'views.update')
        said("views.update: the form shows each system's sessions for dave");
      else if (method === 'chat.postMessage') {
        const value = buttonValue(args.blocks, IDS.approveAction);
        said(
          `${args.thread_ts ? 'thread reply' : `message in ${safe(String(args.channel))}`}: ${oneLine(args.text)}`,
        );
        const ts = world.slack.messages.at(-1)?.ts;
        if (value && ts)
          step(
            'carol presses Approve on the card:',
            interactionBody(
              buttonClick({
                userId: carol.slackUserId,
                channelId: DEMO_CHANNEL,
                messageTs: ts,
                actionId: IDS.approveAction,
                value,
              }),
            ),
          );
      } else if (method === 'chat.update') {
        const text = oneLine(args.text);
        if (lastText.get(String(args.ts)) !== text) said(`message updated: ${text}`);
        lastText.set(String(args.ts), text);
      } else if (method === 'chat.postEphemeral')
        said(`only ${safe(String(args.user))} sees: ${oneLine(args.text)}`);
      return false;
    };
    io.out(
      `\n7. The Slack app — listening on ${url}, its Slack a fake (requests are signed with the demo's secret).`,
    );
    io.out(
      '   Drive it from another terminal in this folder, as Slack would: each curl line signs when it runs.',
    );
    io.out(
      `   Status of any request meanwhile: DATABASE_URL=${world.databaseUrl} npx revoke-sessions status <id>`,
    );
    step(
      'bob types `/revoke-sessions @dave` in #security:',
      commandBody(bob.slackUserId, DEMO_CHANNEL, `<@${dave.slackUserId}|dave>`),
    );
    io.out('   What the app sends to Slack appears below. Ctrl-C stops the demo.');
    await o.stopped;
  } finally {
    world.slack.afterApply = undefined;
    await app.stop();
  }
}
