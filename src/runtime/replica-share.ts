import type { Store } from '../engine/store-port/index.js';
import type { Logger } from '../log.js';
import type { Budgets } from '../providers/budget/index.js';

/**
 * Several replicas on one database share each vendor's budget by taking equal shares: each one
 * says it is alive at every round (the store counts the replicas seen in the last `staleMs`) and
 * keeps to 1/n of every limit. A replica that stops leaves at once; one that dies drops out after
 * `staleMs`, and the others take its share then. Alone (SQLite, or one replica) the share is 1.
 */
export class ReplicaShare {
  constructor(
    private readonly store: Pick<Store, 'heartbeat' | 'leave'>,
    private readonly budgets: Budgets,
    private readonly replicaId: string,
    private readonly staleMs: number,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** One round: says this replica is alive and takes its share. */
  async beat(): Promise<number> {
    const at = this.now();
    const live = await this.store.heartbeat(
      this.replicaId,
      at.toISOString(),
      new Date(at.getTime() - this.staleMs).toISOString(),
    );
    const share = 1 / live;
    if (share !== this.budgets.currentShare()) {
      this.logger.info(
        `vendor budgets: ${live} replica(s) share this database; this one keeps to 1/${live} of every vendor limit`,
      );
      this.budgets.setShare(share);
    }
    return live;
  }

  /** This replica stops: the others take its share at their next round. */
  async leave(): Promise<void> {
    await this.store.leave(this.replicaId);
  }
}
