/**
 * The baseline for benchmark 1: a minimal Bolt app (the same @slack/bolt as
 * the real app) on an HTTPReceiver, whose only listeners ack — the command and
 * the `target_user` select action — so both request kinds can be compared.
 */
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  endpoints: '/slack/events',
  logLevel: LogLevel.INFO,
});
const app = new App({
  token: process.env.SLACK_BOT_TOKEN ?? '',
  receiver,
  logLevel: LogLevel.INFO,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? '' },
});
app.command('/revoke-sessions', async ({ ack }) => {
  await ack();
});
app.action('target_user', async ({ ack }) => {
  await ack();
});
const server = (await app.start(Number(process.env.PORT ?? 0))) as { address(): AddressInfo };
process.stdout.write(`LISTENING ${server.address().port}\n`);
process.on('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
