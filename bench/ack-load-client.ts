/**
 * An open-loop load generator in its own process (so the fakes' work in the benchmark's process
 * does not delay its clock): on each `{ type: 'run', … }` message it sends signed slash commands
 * to the app at a fixed rate — `/revoke-sessions help` and the modal-opening
 * `/revoke-sessions <@USOMEONE>` in turn — whether or not earlier ones were answered, and replies
 * with every request's time to its HTTP response (the ack).
 */
import { Agent } from 'node:http';
import { type LoadRequest, sendOne } from './lib/load.js';
import { command } from './slack-payloads.js';

export type AckKind = 'help' | 'modal';

export interface AckRun {
  type: 'run';
  url: string;
  ratePerSecond: number;
  durationMs: number;
  tag: string;
}

export interface AckSample {
  kind: AckKind;
  /** Ms from writing the request to the end of its response; NaN when it failed. */
  ms: number;
  status: number;
}

/** The person the modal is opened for: no such user, so its preview stops after one users.info. */
export const MODAL_TARGET = 'USOMEONE';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function build(kind: AckKind, triggerId: string): LoadRequest {
  return kind === 'help' ? command('help', triggerId) : command(`<@${MODAL_TARGET}|someone>`, triggerId);
}

async function send(url: URL, req: LoadRequest): Promise<{ ms: number; status: number }> {
  const sent = await sendOne(url, req, agent);
  return { ms: sent.endedAt - sent.sentAt, status: sent.status };
}

/** Request i leaves at start + i / rate, never waiting for earlier answers. */
async function openLoop(o: AckRun): Promise<AckSample[]> {
  const url = new URL(o.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`benchmarks only send traffic to 127.0.0.1 (${o.url})`);
  const interval = 1000 / o.ratePerSecond;
  const count = Math.round((o.durationMs / 1000) * o.ratePerSecond);
  const start = performance.now();
  const pending: Promise<AckSample>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const kind: AckKind = i % 2 === 0 ? 'help' : 'modal';
    pending.push(send(url, build(kind, `${o.tag}-${i}`)).then((x) => ({ kind, ...x })));
  }
  return Promise.all(pending);
}

process.on('message', (m: AckRun) => {
  if (m?.type !== 'run') return;
  openLoop(m).then(
    (samples) => process.send?.({ type: 'result', samples }),
    (error: unknown) => process.send?.({ type: 'error', message: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.stdout.write('READY\n');
