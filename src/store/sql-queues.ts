import type {
  Effect,
  EffectOutcome,
  IntakeEntry,
  NewAuditRecord,
  NewEffect,
  NewIntake,
  OutboxHealth,
} from '../engine/store-port/index.js';
import type { Backend } from './backend.js';
import * as iq from './intake.js';
import {
  claimEffectsIn,
  insertEffectsIn,
  listEffectsIn,
  outboxHealthIn,
  pruneEffectsIn,
  renewEffectLease,
  saveEffectProgress,
  settleEffect,
} from './outbox.js';

/**
 * The store's two queues over any {@link Backend}: the outbox (effects of state changes, delivered
 * at least once) and the intake journal (forms recorded before their ack). {@link SqlStore} builds
 * on it; the statements are in `outbox.ts` and `intake.ts`.
 */
export abstract class SqlQueues {
  constructor(protected readonly db: Backend) {}

  async addEffects(effects: NewEffect[], now: string): Promise<void> {
    await this.db.transaction((tx) => insertEffectsIn(tx, effects, now));
  }

  async claimEffects(owner: string, now: string, leaseUntil: string, limit: number): Promise<Effect[]> {
    return this.db.transaction((tx) => claimEffectsIn(tx, owner, now, leaseUntil, limit));
  }

  async renewEffectLease(id: number, owner: string, leaseUntil: string): Promise<boolean> {
    return (await this.db.run(renewEffectLease(id, owner, leaseUntil))) === 1;
  }

  async saveEffectProgress(id: number, owner: string, progress: Record<string, unknown>): Promise<boolean> {
    return (await this.db.run(saveEffectProgress(id, owner, progress))) === 1;
  }

  async settleEffect(id: number, owner: string, outcome: EffectOutcome, now: string): Promise<boolean> {
    return (await this.db.run(settleEffect(id, owner, outcome, now))) === 1;
  }

  async listEffects(requestId?: string): Promise<Effect[]> {
    return listEffectsIn(this.db, requestId);
  }

  pruneEffects(before: string, limit: number): Promise<number> {
    return pruneEffectsIn(this.db, before, limit);
  }

  async outboxHealth(): Promise<OutboxHealth> {
    return outboxHealthIn(this.db, new Date().toISOString());
  }

  journalIntake(entry: NewIntake, owner: string, leaseUntil: string, now: string): Promise<boolean> {
    return iq.journalIntakeIn(this.db, entry, owner, leaseUntil, now);
  }

  listDueIntake(now: string, limit: number): Promise<string[]> {
    return iq.listDueIntakeIn(this.db, now, limit);
  }

  claimIntake(key: string, owner: string, until: string, now: string): Promise<IntakeEntry | undefined> {
    return iq.claimIntakeIn(this.db, key, owner, until, now);
  }

  renewIntake(key: string, owner: string, leaseUntil: string, now: string): Promise<boolean> {
    return iq.renewIntakeIn(this.db, key, owner, leaseUntil, now);
  }

  refuseIntake(
    key: string,
    by: string,
    why: string,
    at: string,
    audit?: NewAuditRecord,
    effects?: NewEffect[],
  ): Promise<boolean> {
    return iq.refuseIntakeIn(this.db, key, by, why, at, audit, effects);
  }

  getIntake(key: string): Promise<IntakeEntry | undefined> {
    return iq.getIntakeIn(this.db, key);
  }

  pruneIntake(before: string): Promise<number> {
    return iq.pruneIntakeIn(this.db, before);
  }
}
