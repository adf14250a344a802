/**
 * The fake Slack Web API of test/fakes/slack.ts in its own process (so its
 * work does not share the load generator's event loop). Prints
 * `LISTENING <url>`; answers `{ type: 'stats' }` IPC messages with call counts.
 */
import { FakeSlack } from '../test/fakes/slack.js';
import { SECRETS } from '../test/helpers/harness.js';
import { BENCH_VIEWS, seedDirectory } from './slack-payloads.js';

const fake = new FakeSlack({
  botToken: SECRETS.bot,
  adminToken: SECRETS.admin,
  memberChannels: ['C0SEC', 'C0APPROVE'],
});
seedDirectory(fake);
// Views the block-action requests refer to (one per request, so no hash conflicts).
for (let i = 0; i < BENCH_VIEWS; i++) fake.views.set(`VBENCH${i}`, { view: {}, hash: 'h0', updates: 0 });
const url = await fake.start();
process.stdout.write(`LISTENING ${url}\n`);
process.on('message', (m: { type?: string }) => {
  if (m?.type !== 'stats') return;
  const byMethod: Record<string, number> = {};
  for (const c of fake.calls) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
  process.send?.({ type: 'stats', calls: fake.calls.length, byMethod });
});
process.on('SIGTERM', () => {
  void fake.close().then(() => process.exit(0));
});
