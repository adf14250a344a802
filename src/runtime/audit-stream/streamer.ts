import { randomUUID } from 'node:crypto';
import type { Store } from '../../engine/store-port/index.js';
import type { Logger } from '../../log.js';
import type { AuditStreamHealth } from '../readiness.js';
import { type AuditSink, wireRecord } from './wire.js';

export interface AuditStreamerOptions {
  owner?: string;
  now?: () => Date;
  /** How often to look for new records when nothing kicks the streamer (default 1 s). */
  pollMs?: number;
  /** Records per batch (default 100). */
  batch?: number;
  /** First retry delay, doubled each failure up to `maxBackoffMs` (defaults 1 s and 5 min). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How long a sink's lease lasts (default 30 s). */
  leaseMs?: number;
}

/**
 * Streams the audit log to each sink from a cursor kept in the store: reads the records after the
 * sink's last delivered `seq` a page at a time, sends them in order, and only then moves the cursor
 * (at least once: a crash between the send and the move sends them again; nothing is ever skipped).
 * One replica holds a sink at a time. A failing sink is retried with backoff and shows as lag;
 * it never touches a revocation (it only reads the log).
 */
export class AuditStreamer {
  readonly owner: string;
  private readonly now: () => Date;
  private readonly loops = new Map<
    string,
    { timer?: NodeJS.Timeout; running?: Promise<void>; again: boolean }
  >();
  private readonly failures = new Map<string, number>();
  private stopped = true;

  constructor(
    private readonly store: Store,
    private readonly sinks: readonly AuditSink[],
    private readonly logger: Logger,
    private readonly options: AuditStreamerOptions = {},
  ) {
    this.owner = options.owner ?? randomUUID();
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    this.stopped = false;
    for (const sink of this.sinks) this.schedule(sink, 0);
  }

  /** Records were written: send them now rather than at the next poll. */
  kick(): void {
    if (this.stopped) return;
    for (const sink of this.sinks) {
      const loop = this.loops.get(sink.name);
      if (loop?.running) loop.again = true;
      else if (!this.failures.get(sink.name)) this.schedule(sink, 0);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const loop of this.loops.values()) clearTimeout(loop.timer);
    await Promise.all([...this.loops.values()].map((l) => l.running));
    for (const sink of this.sinks) {
      await this.store.auditStream.release(sink.name, this.owner).catch(() => {});
      await sink.close().catch(() => {});
    }
  }

  /** Each sink's lag behind the chain head and its failure, as the store has them (any replica's). */
  async health(): Promise<AuditStreamHealth[]> {
    const [head, positions] = await Promise.all([this.store.auditHead(), this.store.auditStream.positions()]);
    return this.sinks.map((sink) => {
      const at = positions.find((p) => p.sink === sink.name);
      return {
        sink: sink.name,
        lag: Math.max(0, (head?.seq ?? 0) - (at?.seq ?? 0)),
        failingSince: at?.failingSince,
      };
    });
  }

  /** Sends everything written so far to `sink` (a round of the loop; tests call it). */
  async drain(sink: AuditSink): Promise<void> {
    const iso = (ms = 0) => new Date(this.now().getTime() + ms).toISOString();
    const { auditStream } = this.store;
    for (;;) {
      if (this.stopped && this.loops.size > 0) return;
      const from = await auditStream.claim(sink.name, this.owner, iso(), iso(this.options.leaseMs ?? 30_000));
      if (from === undefined) return; // another replica streams to this sink
      const head = await this.store.auditHead();
      if (!head || head.seq <= from) return;
      // Up to the head read above: every record sent names a head at or after itself.
      const page = (await this.store.readAudit({ afterSeq: from, limit: this.options.batch ?? 100 })).filter(
        (r) => r.seq <= head.seq,
      );
      const last = page[page.length - 1];
      if (!last) return;
      try {
        await sink.send(page.map((r) => wireRecord(r, head)));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await auditStream.failed(sink.name, this.owner, message, iso()).catch(() => {});
        throw error;
      }
      if (!(await auditStream.advance(sink.name, this.owner, from, last.seq, iso()))) return;
    }
  }

  private schedule(sink: AuditSink, ms: number): void {
    if (this.stopped) return;
    const loop = this.loops.get(sink.name) ?? { again: false };
    this.loops.set(sink.name, loop);
    clearTimeout(loop.timer);
    loop.timer = setTimeout(() => {
      loop.running = this.drain(sink)
        .then(() => {
          this.failures.delete(sink.name);
          return this.options.pollMs ?? 1_000;
        })
        .catch((error: unknown) => {
          const n = (this.failures.get(sink.name) ?? 0) + 1;
          this.failures.set(sink.name, n);
          const base = this.options.backoffMs ?? 1_000;
          const delay = Math.min(this.options.maxBackoffMs ?? 300_000, base * 2 ** (n - 1));
          const why = error instanceof Error ? error.message : String(error);
          this.logger.warn(`audit stream: ${sink.name} failed (${why}); retrying in ${delay} ms`);
          return delay;
        })
        .then((next) => {
          loop.running = undefined;
          const soon = loop.again && !this.failures.get(sink.name);
          loop.again = false;
          this.schedule(sink, soon ? 0 : next);
        });
    }, ms);
    loop.timer.unref();
  }
}
