/**
 * The fake Slack Web API of test/fakes/slack.ts in its own process (so its
 * work does not share the load generator's event loop). Prints
 * `LISTENING <url>`; answers IPC messages: `{ type: 'stats' }` with call
 * counts, `{ type: 'opens', prefix }` with when (monotonic ms, lib/clock.ts)
 * `views.open` arrived for each trigger id starting with `prefix` (then forgets them).
 */
import { FakeSlack } from '../test/fakes/slack.js';
import { SECRETS } from '../test/helpers/harness.js';
import { monoMs } from './lib/clock.js';
import { BENCH_VIEWS, seedDirectory } from './slack-payloads.js';

const fake = new FakeSlack({
  botToken: SECRETS.bot,
  adminToken: SECRETS.admin,
  memberChannels: ['C0SEC', 'C0APPROVE'],
});
seedDirectory(fake);
// Views the block-action requests refer to (one per request, so no hash conflicts).
for (let i = 0; i < BENCH_VIEWS; i++) fake.views.set(`VBENCH${i}`, { view: {}, hash: 'h0', updates: 0 });
let calls = 0;
const byMethod: Record<string, number> = {};
const opened = new Map<string, number>();
fake.beforeAnswer = (method, args) => {
  if (method === 'views.open') opened.set(String(args.trigger_id), monoMs());
  calls += 1;
  byMethod[method] = (byMethod[method] ?? 0) + 1;
  // Tens of thousands of calls with their views: keep the fake's own log short (counts are above).
  if (fake.calls.length > 2_000) fake.calls.splice(0, 1_000);
  return false;
};
const url = await fake.start();
process.stdout.write(`LISTENING ${url}\n`);
process.on('message', (m: { type?: string; prefix?: string }) => {
  if (m?.type === 'stats') process.send?.({ type: 'stats', calls, byMethod });
  if (m?.type === 'opens') {
    const prefix = m.prefix ?? '';
    const opens = [...opened].filter(([t]) => t.startsWith(prefix));
    for (const [t] of opens) opened.delete(t);
    process.send?.({ type: 'opens', prefix, opens });
  }
});
process.on('SIGTERM', () => {
  void fake.close().then(() => process.exit(0));
});
