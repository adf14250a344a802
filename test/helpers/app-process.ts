/**
 * Runs the real application in a child process for crash tests: the same
 * composition root as `npm start`, with short leases and housekeeping so a
 * restarted process takes over a killed one's work quickly. It prints its
 * runner id (`RUNNER <id>`, the lease owner it writes) before `LISTENING <port>`.
 * `TEST_CLOCK_OFFSET_MS` sets its wall clock that far off (clock skew between replicas);
 * `TEST_VENDOR_TIMEOUT_MS` the per-request timeout of its vendor calls.
 */
import type { AddressInfo } from 'node:net';
import { buildApplication } from '../../src/application.js';
import { loadConfig } from '../../src/config.js';

const offsetMs = Number(process.env.TEST_CLOCK_OFFSET_MS ?? 0);
const app = await buildApplication(loadConfig(process.env), {
  leaseMs: Number(process.env.TEST_LEASE_MS ?? 1500),
  housekeepingMs: 200,
  // A killed process's outbox claims lapse as quickly as its run leases.
  outbox: { leaseMs: Number(process.env.TEST_LEASE_MS ?? 1500), pollMs: 100 },
  // Likewise the SIEM stream's hold on a sink; its retries are quick.
  auditStream: {
    leaseMs: Number(process.env.TEST_LEASE_MS ?? 1500),
    pollMs: 100,
    backoffMs: 100,
    maxBackoffMs: 400,
  },
  verifyRecheckMs: 10,
  retryPolicy: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20, maxTotalMs: 2_000 },
  ...(offsetMs ? { now: () => new Date(Date.now() + offsetMs) } : {}),
  ...(process.env.TEST_VENDOR_TIMEOUT_MS
    ? { vendorTimeoutMs: Number(process.env.TEST_VENDOR_TIMEOUT_MS) }
    : {}),
});
const server = await app.start();
const port = (server?.address() as AddressInfo | undefined)?.port;
process.stdout.write(`RUNNER ${app.engine.runnerId}\n`);
process.stdout.write(`LISTENING ${port}\n`);
process.on('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
