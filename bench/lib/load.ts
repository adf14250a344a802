/** The load generator: many POSTs over keep-alive connections, with per-request latency. */
import { Agent, request } from 'node:http';
import { sleep } from './wait.js';

export { Agent };

export interface LoadRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  /** Milliseconds from writing the request to the end of the response, per request. */
  latencies: number[];
  statuses: Map<number, number>;
  errors: number;
  wallMs: number;
}

/**
 * Sends `count` POSTs to `baseUrl` (127.0.0.1 only) with at most `concurrency`
 * in flight over keep-alive connections (or as many as leave within `durationMs`);
 * `build(i)` makes request i (called just before it is sent, so signatures are fresh).
 */
export async function runLoad(
  baseUrl: string,
  o: {
    concurrency: number;
    count: number;
    build: (i: number) => LoadRequest;
    timeoutMs?: number;
    /** Reuse connections across calls (e.g. warm-up, then measurement); the caller destroys it. */
    agent?: Agent;
    /** Think time: each worker waits this long after a response before its next request. */
    pauseMs?: number;
    /** Stop starting requests this long after the first one left (`count` stays the upper bound). */
    durationMs?: number;
  },
): Promise<LoadResult> {
  const url = new URL(baseUrl);
  if (url.hostname !== '127.0.0.1') throw new Error(`benchmarks only send traffic to 127.0.0.1 (${baseUrl})`);
  const agent = o.agent ?? new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let errors = 0;
  let next = 0;
  const one = (req: LoadRequest) =>
    new Promise<void>((resolve) => {
      const headers = { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) };
      let start = 0n;
      const r = request(
        { host: '127.0.0.1', port: url.port, path: req.path, method: 'POST', headers, agent },
        (res) => {
          res.on('data', () => {});
          res.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
            statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
            resolve();
          });
        },
      );
      r.setTimeout(o.timeoutMs ?? 10_000, () => r.destroy(new Error('timeout')));
      r.on('error', () => {
        errors += 1;
        resolve();
      });
      start = process.hrtime.bigint();
      r.end(req.body);
    });
  const t0 = performance.now();
  const stopAt = o.durationMs === undefined ? Number.POSITIVE_INFINITY : t0 + o.durationMs;
  const worker = async () => {
    for (;;) {
      if (performance.now() >= stopAt) return;
      const i = next++;
      if (i >= o.count) return;
      await one(o.build(i));
      if (o.pauseMs) await sleep(o.pauseMs);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  if (!o.agent) agent.destroy();
  return { latencies, statuses, errors, wallMs: performance.now() - t0 };
}

/** `200×98 503×2 errors×1`: answers by status, in order. */
export function statusSummary(statuses: Map<number, number>, errors = 0): string {
  const parts = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
  if (errors) parts.push(`errors×${errors}`);
  return parts.join(' ') || 'none';
}
