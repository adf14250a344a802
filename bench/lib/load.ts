/** The load generator: many POSTs over keep-alive connections, with per-request latency. */
import { Agent, request } from 'node:http';
import { monoMs } from './clock.js';
import { sleep } from './wait.js';

export { Agent };

export interface LoadRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** One request's times on {@link monoMs}: when it was written, when its answer ended (NaN and status 0 when none came). */
export interface Sent {
  sentAt: number;
  endedAt: number;
  status: number;
}

/**
 * POSTs one request to `url`'s port on 127.0.0.1 over `agent`; resolves, never rejects, once the
 * answer has been read, or failed, or `timeoutMs` passed.
 */
export function sendOne(url: URL, req: LoadRequest, agent: Agent, timeoutMs = 10_000): Promise<Sent> {
  return new Promise((resolve) => {
    const headers = { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) };
    let sentAt = Number.NaN;
    const r = request(
      { host: '127.0.0.1', port: url.port, path: req.path, method: 'POST', headers, agent },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve({ sentAt, endedAt: monoMs(), status: res.statusCode ?? 0 }));
      },
    );
    r.setTimeout(timeoutMs, () => r.destroy(new Error('timeout')));
    r.on('error', () => resolve({ sentAt, endedAt: Number.NaN, status: 0 }));
    sentAt = monoMs();
    r.end(req.body);
  });
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
  const one = async (req: LoadRequest) => {
    const sent = await sendOne(url, req, agent, o.timeoutMs);
    if (Number.isNaN(sent.endedAt)) {
      errors += 1;
      return;
    }
    latencies.push(sent.endedAt - sent.sentAt);
    statuses.set(sent.status, (statuses.get(sent.status) ?? 0) + 1);
  };
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
