import type { SystemId } from '../catalog.js';
import type { Logger } from '../log.js';
import { systemById } from '../providers/registry.js';
import type { SessionProvider } from '../providers/types.js';

/** One system's health, from its doctor check (cached). */
export interface HealthLine {
  label: string;
  ok: boolean;
  /** When the check ran (ISO). */
  at: string;
}

/** The systems' last doctor checks, never waited for: `lines()` answers from the cache at once. */
export interface SystemHealth {
  lines(): HealthLine[] | undefined;
  /** The last round as it is, starting none (a Home pushed by a change, not opened by its owner). */
  cached(): HealthLine[] | undefined;
}

export interface SystemHealthOptions {
  /** How long a round of checks is shown before the next read starts another (default 5 min). */
  maxAgeMs?: number;
  /** Each system's check gives up after this long and counts as failed (default 10 s). */
  timeoutMs?: number;
  now?: () => Date;
}

/**
 * Each system's health from its doctor check (the same harmless call as `revoke-sessions doctor`),
 * for the App Home. A read never waits: it answers from the last round and, when that is older
 * than `maxAgeMs` (or there is none), starts one in the background; one round at a time, so
 * however many Homes open, a vendor sees at most one check per system every few minutes.
 */
export class SystemHealthCache implements SystemHealth {
  private last: HealthLine[] | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private round: Promise<void> | undefined;
  private readonly maxAgeMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly providers: ReadonlyMap<SystemId, SessionProvider>,
    private readonly systems: readonly SystemId[],
    private readonly logger: Logger,
    options: SystemHealthOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? (() => new Date());
  }

  lines(): HealthLine[] | undefined {
    if (!this.round && this.now().getTime() - this.checkedAt >= this.maxAgeMs) {
      this.round = this.refresh().finally(() => {
        this.round = undefined;
      });
    }
    return this.last;
  }

  cached(): HealthLine[] | undefined {
    return this.last;
  }

  /** The round in progress, if any (tests, shutdown). */
  settled(): Promise<void> {
    return this.round ?? Promise.resolve();
  }

  private async refresh(): Promise<void> {
    const at = this.now();
    this.last = await Promise.all(this.systems.map((id) => this.check(id, at.toISOString())));
    this.checkedAt = at.getTime();
  }

  private async check(id: SystemId, at: string): Promise<HealthLine> {
    const provider = this.providers.get(id);
    const label = provider?.label ?? id;
    if (!provider) return { label, ok: false, at };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer in time')), this.timeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([systemById(id).doctor(provider), timeout]);
      return { label, ok: true, at };
    } catch (error) {
      // Only the outcome is shown on a Home; the reason stays in the (redacted) log.
      this.logger.warn(`health check of ${label} failed:`, error);
      return { label, ok: false, at };
    } finally {
      clearTimeout(timer);
    }
  }
}
