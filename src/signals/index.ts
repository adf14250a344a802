import type { SignalsConfig } from '../config/signals.js';
import type { Store } from '../engine/store-port/index.js';
import type { Logger } from '../log.js';
import type { SystemSettings } from '../providers/registry.js';
import type { EffectHandler } from '../runtime/outbox-worker.js';
import { transmitterHandlers } from './transmitter.js';
import { Transmitter } from './transmitter-port.js';

export interface SignalsWiring {
  /** The transmitter port, when SSF_ISSUER and SSF_SIGNING_KEY_FILE are set. */
  transmitter: Transmitter | undefined;
  /** The outbox handlers of the Shared Signals effects. */
  handlers: Record<string, EffectHandler>;
}

/** Builds the Shared Signals parts the composition root mounts (nothing when they are off). */
export function buildSignals(
  config: SignalsConfig,
  deps: {
    store: Store;
    systems: SystemSettings;
    logger: Logger;
    now: () => Date;
    effectsWritten: () => void;
    pushTimeoutMs?: number | undefined;
    longPollMs?: number | undefined;
  },
): SignalsWiring {
  const t = config.transmitter;
  if (!t) return { transmitter: undefined, handlers: {} };
  return {
    transmitter: new Transmitter({ ...deps, issuer: t.issuer, key: t.key }),
    handlers: transmitterHandlers({ ...deps, issuer: t.issuer, key: t.key }),
  };
}
