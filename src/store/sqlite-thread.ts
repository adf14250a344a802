import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Sql } from 'sql-template-tag';
import { RingQueue } from '../util/ring-queue.js';
import type { Backend, Executor } from './backend.js';
import { SQLITE_DIALECT, type SqliteSynchronous, STATEMENT_CACHE_SIZE } from './sqlite-dialect.js';
import { WRITER_SOURCE } from './sqlite-writer.js';

type Op =
  | { op: 'all' | 'run' | 'exec'; sql: string; values?: unknown[] }
  | { op: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'undo' | 'close' };
interface Answer {
  id: number;
  result?: unknown;
  error?: { name?: string; message: string; code?: string };
  /** Whether the writer's connection is still inside a transaction after it. */
  tx?: boolean;
}
interface Settle {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}
/** What waits for the writer: a transaction's body, one write on its own, or the end. */
type JobSpec =
  | { kind: 'tx'; fn: (tx: Executor) => Promise<unknown> }
  | { kind: 'write'; op: Op }
  | { kind: 'close' };
type Job = JobSpec & { done: Settle };

/** Most transactions one commit serves. */
const GROUP_MAX = 64;

/** An error the writer thread reported, with the driver's name and code (`SQLITE_CONSTRAINT_…`). */
function rebuilt(e: NonNullable<Answer['error']>): Error {
  return Object.assign(new Error(e.message), {
    name: e.name ?? 'Error',
    ...(e.code ? { code: e.code } : {}),
  });
}

/**
 * SQLite with its writes on a thread of their own. Every write — a statement that changes
 * something, and every transaction with its COMMIT and fsync — runs on the writer thread
 * (`sqlite-writer.ts`), one at a time in the order they were asked for, so a transaction is never
 * interleaved with anything else of the process and the event loop never waits for the disk.
 *
 * Group commit: the writes waiting when one group begins share one `BEGIN IMMEDIATE … COMMIT`,
 * each transaction in its own savepoint (one that fails is rolled back to its savepoint alone), so
 * one fsync serves them all; each resolves only once that COMMIT is done, so "resolved" still
 * means "durable". Reads outside a transaction run at once on a second use of the same file on
 * the event loop (WAL: they see every committed write and never wait for the writer), as reads on
 * PostgreSQL's pool do beside its transactions.
 */
export class SqliteThreadBackend implements Backend {
  readonly dialect = SQLITE_DIALECT;
  private readonly worker: Worker;
  private readonly reader: Database.Database;
  private readonly readers = new Map<string, Database.Statement>();
  private readonly pending = new Map<number, Settle>();
  private readonly jobs = new RingQueue<Job>();
  private nextId = 0;
  private draining = false;
  private inTransaction = false;
  private broken: Error | undefined;
  /** A close was asked: the thread's exit is its end, not a failure. */
  private closing = false;
  /** Runs statements on the writer thread; only ever called by the job that holds it. */
  private readonly writer: Executor = {
    all: async <T>(s: Sql) => (await this.call({ op: 'all', sql: s.sql, values: s.values })) as T[],
    run: async (s) => (await this.call({ op: 'run', sql: s.sql, values: s.values })) as number,
    script: async (text) => void (await this.call({ op: 'exec', sql: text })),
  };

  constructor(path: string, synchronous: SqliteSynchronous) {
    mkdirSync(dirname(path), { recursive: true });
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: { driver, path, synchronous, cacheSize: STATEMENT_CACHE_SIZE },
    });
    // The thread keeps the process alive only while an answer is awaited (see call()).
    this.worker.unref();
    this.worker.on('message', (a: Answer) => this.answer(a));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', () => {
      // Asked to close: the thread may exit before its answer is read — the close went through.
      if (this.closing) this.settleAll();
      else this.fail(new Error('the SQLite writer thread stopped'));
    });
    this.reader = new Database(path);
    this.reader.pragma('busy_timeout = 5000');
  }

  /** A read runs at once on the event loop; a statement that writes (e.g. `UPDATE … RETURNING`) goes to the writer. */
  all<T>(statement: Sql): Promise<T[]> {
    const read = this.readStatement(statement.sql);
    if (read?.readonly) {
      try {
        return Promise.resolve(read.all(...statement.values) as T[]);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.enqueue({ kind: 'write', op: { op: 'all', sql: statement.sql, values: statement.values } });
  }

  run(statement: Sql): Promise<number> {
    return this.enqueue({ kind: 'write', op: { op: 'run', sql: statement.sql, values: statement.values } });
  }

  script(text: string): Promise<void> {
    return this.enqueue({ kind: 'write', op: { op: 'exec', sql: text } });
  }

  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    return this.enqueue<T>({ kind: 'tx', fn });
  }

  async close(): Promise<void> {
    await this.enqueue({ kind: 'close' });
  }

  /** Queues a job for the writer; resolves with its result once its group committed. */
  private enqueue<T>(job: JobSpec): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ ...job, done: { resolve: resolve as (v: unknown) => void, reject } });
      if (this.draining) return;
      this.draining = true;
      // After the code that queued this job: writes asked for together start as one group.
      queueMicrotask(() => void this.drain());
    });
  }

  /** Runs the waiting jobs, group after group, until none is left. */
  private async drain(): Promise<void> {
    try {
      for (let job = this.jobs.peek(); job; job = this.jobs.peek()) {
        if (job.kind !== 'close') await this.group(this.jobs.size);
        else {
          this.jobs.shift();
          this.closing = true;
          if (this.reader.open) this.reader.close();
          await (this.broken ? Promise.resolve() : this.call({ op: 'close' })).then(
            job.done.resolve,
            job.done.reject,
          );
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Up to `waiting` jobs (those queued when it began) in one transaction and one commit. */
  private async group(waiting: number): Promise<void> {
    const members: { done: Settle; result: unknown }[] = [];
    const first = this.jobs.peek();
    try {
      await this.call({ op: 'begin' });
    } catch (error) {
      this.jobs.shift();
      first?.done.reject(error);
      return;
    }
    for (let n = 0; n < Math.min(waiting, GROUP_MAX); n++) {
      const job = this.jobs.peek();
      if (!job || job.kind === 'close') break;
      this.jobs.shift();
      try {
        if (job.kind === 'write') members.push({ done: job.done, result: await this.call(job.op) });
        else {
          await this.call({ op: 'savepoint' });
          const result = await job.fn(this.writer);
          await this.call({ op: 'release' });
          members.push({ done: job.done, result });
        }
      } catch (error) {
        job.done.reject(error);
        // Only its own writes are undone (a single statement undoes itself) — unless SQLite ended the whole transaction.
        const open = this.inTransaction && (job.kind === 'write' || (await this.undo()));
        if (!open) {
          for (const m of members) m.done.reject(error);
          await this.call({ op: 'rollback' }).catch(() => {});
          return;
        }
      }
    }
    try {
      await this.call({ op: 'commit' });
      for (const m of members) m.done.resolve(m.result);
    } catch (error) {
      await this.call({ op: 'rollback' }).catch(() => {});
      for (const m of members) m.done.reject(error);
    }
  }

  /** Rolls the current savepoint back; false when that failed (the transaction is then in doubt). */
  private undo(): Promise<boolean> {
    return this.call({ op: 'undo' }).then(
      () => true,
      () => false,
    );
  }

  /** The read connection's prepared statement for this text, or undefined when it cannot prepare it (no such table yet). */
  private readStatement(text: string): Database.Statement | undefined {
    let prepared = this.readers.get(text);
    if (!prepared) {
      try {
        prepared = this.reader.prepare(text);
      } catch {
        return undefined; // the writer runs it, and reports the error if there is one
      }
      if (this.readers.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.readers.keys().next().value;
        if (oldest !== undefined) this.readers.delete(oldest);
      }
      this.readers.set(text, prepared);
    }
    return prepared;
  }

  /** Sends one operation to the writer thread; resolves to its answer. */
  private call(op: Op): Promise<unknown> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...op });
    });
  }

  private answer(a: Answer): void {
    this.inTransaction = a.tx === true;
    const waiting = this.pending.get(a.id);
    if (!waiting) return;
    this.pending.delete(a.id);
    if (this.pending.size === 0) this.worker.unref();
    if (a.error) waiting.reject(rebuilt(a.error));
    else waiting.resolve(a.result);
  }

  /** The thread died or stopped: whatever waits for it, and everything asked of it later, fails. */
  /** The thread exited after a close: what waited on it (the close) is done; nothing more is taken. */
  private settleAll(): void {
    this.broken ??= new Error('the SQLite writer thread is closed');
    for (const waiting of this.pending.values()) waiting.resolve(undefined);
    this.pending.clear();
  }

  private fail(error: Error): void {
    this.broken ??= error;
    for (const waiting of this.pending.values()) waiting.reject(this.broken);
    this.pending.clear();
  }
}
