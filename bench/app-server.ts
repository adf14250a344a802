/**
 * The real application for the benchmarks, in its own process: the same
 * composition root and defaults as `npm start` (config from the environment),
 * printing `LISTENING <port>` once the HTTP receiver listens.
 *
 * `--sqlite-writer=inline|thread` and `--sqlite-synchronous=FULL|NORMAL` choose
 * how a SQLite store commits (default: the product's), so that a benchmark can
 * compare the modes side by side.
 */
import type { AddressInfo } from 'node:net';
import { buildApplication } from '../src/application.js';
import { loadConfig } from '../src/config.js';

const option = (name: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) || undefined;
const writer = option('sqlite-writer');
const synchronous = option('sqlite-synchronous');
if (
  (writer && !['inline', 'thread'].includes(writer)) ||
  (synchronous && !['FULL', 'NORMAL'].includes(synchronous))
)
  throw new Error('--sqlite-writer is inline or thread; --sqlite-synchronous is FULL or NORMAL');

const app = await buildApplication(loadConfig(process.env), {
  sqlite: {
    writer: writer as 'inline' | 'thread' | undefined,
    synchronous: synchronous as 'FULL' | 'NORMAL' | undefined,
  },
});
const server = await app.start();
process.stdout.write(`LISTENING ${(server?.address() as AddressInfo | undefined)?.port}\n`);
process.on('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
