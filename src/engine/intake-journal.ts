import { logFields } from '../log.js';
import type { EngineContext } from './context.js';
import { intakeRefusedEffect } from './effects.js';
import type { Ask, AskResult, Intake } from './request.js';
import { IntakeTakenError } from './store-port/index.js';

/** An ask journaled under its idempotency key (the key its request gets). */
export type JournaledAsk = Ask & { idempotencyKey: string };

/** A journaled submission, to record. */
export interface JournalEntry {
  ask: JournaledAsk;
  /** When it was journaled (just before it was acknowledged). */
  receivedAt: string;
  /** 1 for the surface's own attempt; each take-over after a lease expired adds one. */
  attempts: number;
  /** Taken over by housekeeping: the process that acknowledged it did not record it (it died, or failed). */
  replayed: boolean;
}

/** Attempts before a submission that keeps failing (or crashing the process) is refused. */
export const MAX_INTAKE_ATTEMPTS = 5;

/** How long a settled entry is kept (it is not the record: the request and the audit log are). */
const SETTLED_KEPT_MS = 24 * 3_600_000;

/** Said when a journaled submission could not be recorded in {@link MAX_INTAKE_ATTEMPTS} attempts. */
export const NOT_RECORDED_TEXT = `It could not be recorded in ${MAX_INTAKE_ATTEMPTS} attempts (the app's log says why), so nothing was revoked. Submit it again.`;

/**
 * The intake journal: a surface that acknowledges a submission before recording it (Slack's form
 * must be answered within 3 s) journals it first, so an acknowledged submission always becomes its
 * request or a refusal the requester is told about. The process that journaled it holds a lease on
 * the entry while it records it (renewed like a run's); recording the request completes the entry
 * in the same write, a refusal marks it refused. An entry still pending when its lease expires (its
 * process died, or recording failed) is taken over by the housekeeping round of any replica, with
 * the same idempotency key, so a take-over never records a second request.
 */
export class IntakeJournal {
  private readonly held = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly intake: Intake,
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  /**
   * Journals a submission, held by this process. Undefined when the key is journaled already,
   * pending or done (the same submission again: the first one is recorded); a refused one is
   * journaled afresh. Rejects when the write fails: the surface must then refuse the submission,
   * never acknowledge it.
   */
  async receive(ask: JournaledAsk): Promise<JournalEntry | undefined> {
    const { idempotencyKey: key, ...form } = ask;
    const receivedAt = this.ctx.iso();
    const journaled = await this.ctx.store.journalIntake(
      { key, actor: actorOf(ask), form: { ...form }, channelId: ask.origin?.channelId },
      this.owner,
      this.ctx.iso(this.leaseMs),
      receivedAt,
    );
    if (!journaled) return undefined;
    this.hold(key);
    return { ask, receivedAt, attempts: 1, replayed: false };
  }

  /**
   * Records a journaled submission through {@link Intake.ask} (same idempotency key): the request
   * and the entry's completion are one write; a refusal marks the entry refused. Undefined when
   * another process took the entry over meanwhile (it records it, and tells the requester).
   * Rejects when recording failed: the entry stays pending and is taken over after its lease.
   */
  async record(entry: JournalEntry): Promise<AskResult | undefined> {
    const key = entry.ask.idempotencyKey;
    this.hold(key);
    try {
      if (entry.attempts > MAX_INTAKE_ATTEMPTS) return await this.giveUp(entry);
      // A form recorded after a restart: its requester is told so, with the request's own write.
      const result = await this.intake.ask(
        entry.ask,
        { key, owner: this.owner },
        entry.replayed ? entry.receivedAt : undefined,
      );
      if (result.ok) return result;
      const refused = await this.ctx.store.refuseIntake(
        key,
        this.owner,
        result.message,
        this.ctx.iso(),
        undefined,
        this.refusalNote(entry, result.message),
      );
      if (refused) this.ctx.effectsWritten();
      return refused ? result : undefined;
    } catch (error) {
      if (error instanceof IntakeTakenError) {
        this.ctx.logger.info(`submission ${key} is being recorded by another process`);
        return undefined;
      }
      throw error;
    } finally {
      this.release(key);
    }
  }

  /**
   * The housekeeping round's part: forgets entries settled a day ago, and takes over the pending
   * entries whose lease expired (each by one process only), to {@link record} again.
   */
  async due(limit = 20): Promise<JournalEntry[]> {
    const { store } = this.ctx;
    await store.pruneIntake(this.ctx.iso(-SETTLED_KEPT_MS));
    const taken: JournalEntry[] = [];
    for (const key of await store.listDueIntake(this.ctx.iso(), limit)) {
      if (this.held.has(key)) continue;
      const claimed = await store.claimIntake(key, this.owner, this.ctx.iso(this.leaseMs), this.ctx.iso());
      if (!claimed) continue;
      const ask = askOf(claimed.form, key);
      if (!ask) {
        this.ctx.logger.error(`submission ${key}: its journal entry cannot be read; it is refused`);
        await store.refuseIntake(key, this.owner, 'the journal entry cannot be read', this.ctx.iso());
        continue;
      }
      this.ctx.logger.info(
        `submission ${key} was acknowledged but not recorded; recording it now (attempt ${claimed.attempts})`,
        logFields({ actor: claimed.actor }),
      );
      this.hold(key);
      taken.push({ ask, receivedAt: claimed.createdAt, attempts: claimed.attempts, replayed: true });
    }
    return taken;
  }

  private async giveUp(entry: JournalEntry): Promise<AskResult | undefined> {
    const { ask } = entry;
    const refused = await this.ctx.store.refuseIntake(
      ask.idempotencyKey,
      this.owner,
      NOT_RECORDED_TEXT,
      this.ctx.iso(),
      {
        actor: actorOf(ask),
        action: 'request_refused',
        data: { why: 'could not be recorded', via: ask.source, attempts: entry.attempts - 1 },
      },
      this.refusalNote(entry, NOT_RECORDED_TEXT),
    );
    if (!refused) return undefined;
    this.ctx.effectsWritten();
    this.ctx.logger.error(`submission ${ask.idempotencyKey} could not be recorded; the requester is told`);
    return { ok: false, code: 'not_recorded', message: NOT_RECORDED_TEXT, refusedPeople: [] };
  }

  /** The note telling the requester their acknowledged submission was refused (written with the refusal). */
  private refusalNote(entry: JournalEntry, message: string) {
    const { ask } = entry;
    return intakeRefusedEffect(
      { key: ask.idempotencyKey, receivedAt: entry.receivedAt, replayed: entry.replayed },
      ask,
      message,
    );
  }

  /** Keeps this process's lease on the entry while it waits to be recorded and while it is. */
  private hold(key: string): void {
    if (this.held.has(key)) return;
    const renew = setInterval(
      () => {
        this.ctx.store
          .renewIntake(key, this.owner, this.ctx.iso(this.leaseMs), this.ctx.iso())
          .then((kept) => {
            if (!kept) this.release(key);
          })
          .catch((e: unknown) => this.ctx.logger.warn(`submission ${key}: could not renew its lease:`, e));
      },
      Math.max(50, Math.floor(this.leaseMs / 3)),
    );
    renew.unref();
    this.held.set(key, renew);
  }

  private release(key: string): void {
    clearInterval(this.held.get(key));
    this.held.delete(key);
  }
}

function actorOf(ask: Ask): string {
  return `${ask.requester.kind}:${ask.requester.id}`;
}

/** The ask a journal entry holds, or undefined when it does not read as one. */
function askOf(form: Record<string, unknown>, key: string): JournaledAsk | undefined {
  const requester = form.requester as { kind?: unknown; id?: unknown } | undefined;
  const valid =
    typeof form.source === 'string' &&
    typeof requester?.kind === 'string' &&
    typeof requester.id === 'string' &&
    Array.isArray(form.people) &&
    Array.isArray(form.systems) &&
    typeof form.reason === 'string';
  return valid ? ({ ...form, idempotencyKey: key } as unknown as JournaledAsk) : undefined;
}
