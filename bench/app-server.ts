/**
 * The real application for the benchmarks, in its own process: the same
 * composition root and defaults as `npm start` (config from the environment),
 * printing `LISTENING <port>` once the HTTP receiver listens.
 */
import type { AddressInfo } from 'node:net';
import { buildApplication } from '../src/application.js';
import { loadConfig } from '../src/config.js';

const app = await buildApplication(loadConfig(process.env));
const server = await app.start();
process.stdout.write(`LISTENING ${(server?.address() as AddressInfo | undefined)?.port}\n`);
process.on('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
