import type { Config, SystemId } from '../config.js';
import type { MembershipChecker } from '../engine/access.js';
import type { Approvals } from '../engine/approval.js';
import type { RevocationEngine } from '../engine/engine.js';
import type { RunObserver } from '../engine/observer.js';
import type { RevocationRequest } from '../engine/types.js';
import type { Logger } from '../log.js';
import type { SlackDirectory } from '../providers/slack-admin/directory.js';
import type { Store } from '../store/types.js';
import type { SystemChoice } from './blocks/request-modal.js';
import type { Labels } from './blocks/results.js';

/** Tracks work that outlives a listener's ack, so shutdown (and tests) can wait for it. */
export class BackgroundTasks {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly logger: Logger) {}

  /** Starts `task` now; its failure is logged, never thrown into Bolt. */
  run(name: string, task: () => Promise<unknown>): void {
    const p = task()
      .catch((error: unknown) => this.logger.error(`${name} failed:`, error))
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Resolves when every task started so far (and any they start) has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/** Everything the Slack listeners need; built once by the composition root. */
export interface SlackDeps {
  config: Config;
  engine: RevocationEngine;
  store: Store;
  directory: SlackDirectory;
  membership: MembershipChecker;
  logger: Logger;
  /** Configured systems, in display order. */
  systems: SystemChoice[];
  labels: Labels;
  background: BackgroundTasks;
  now: () => Date;
  approvals: Approvals;
  /** The progress display for a request (its Slack thread, and a waiting workflow step). */
  observerFor: (request: RevocationRequest) => RunObserver;
}

/** Runs an approved request in the background, showing progress through its observer. */
export function startRun(deps: SlackDeps, request: RevocationRequest): void {
  deps.background.run(`request ${request.id}`, () => deps.engine.run(request.id, deps.observerFor(request)));
}

export function systemIds(deps: SlackDeps): SystemId[] {
  return deps.systems.map((s) => s.id);
}

/** Membership check bounded in time so a slow user-group lookup cannot blow Slack's 3-second window (fails closed). */
export async function isRequester(deps: SlackDeps, userId: string, timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([deps.membership.isMember(userId, deps.config.requesters), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const NOT_ALLOWED_TEXT =
  'You are not allowed to use /revoke-sessions. Ask your security team to add you (or a user group you are in) to REVOKE_REQUESTERS.';
