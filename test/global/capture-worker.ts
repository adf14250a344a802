/**
 * Runs in every test worker before its test file (vitest `setupFiles`):
 * - records that the capture folder reached this file (the scan fails if a
 *   file that ran left no such record: its output was not captured);
 * - captures each HTTP answer a test receives through `fetch` (the app's Slack
 *   endpoint, alert API, health check; the app's own outbound calls do not use
 *   `fetch`);
 * - captures whatever is written straight to this process's stdout and stderr
 *   (a logger left on its default sink, a library printing). `console.*` is
 *   captured in the main process by `onConsoleLog` (vitest.config.ts).
 */
import { relative } from 'node:path';
import { expect } from 'vitest';
import { capture, lineCapture, markReached } from '../helpers/capture.js';

const root = new URL('../../', import.meta.url).pathname;
markReached(relative(root, expect.getState().testPath ?? 'unknown test file'));

const original = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const res = await original(input, init);
  try {
    const body = await res.clone().text();
    capture('http', `${res.status} ${JSON.stringify([...res.headers])} ${body}`);
  } catch {
    // a body that cannot be read twice (streams the test consumes) is not captured
  }
  return res;
};

for (const stream of [process.stdout, process.stderr]) {
  const lines = lineCapture('console');
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    lines.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return write(chunk, ...rest);
  }) as typeof stream.write;
  process.once('exit', () => lines.end());
}
