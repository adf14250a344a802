import type { SsfReceiver } from '../config/signals.js';
import type { Store } from '../engine/store-port/index.js';
import type { Logger } from '../log.js';
import { jwksOf, type SigningKey } from '../signing/key.js';
import { pollStream } from './poll.js';
import { type StreamAnswer, StreamService } from './streams.js';

/**
 * The transmitter as the HTTP edge sees it (the edge never reaches the store): its issuer, its
 * JWKS, stream management, and polls.
 */
export class Transmitter {
  readonly streams: StreamService;

  constructor(
    private readonly deps: {
      store: Store;
      issuer: string;
      key: SigningKey;
      logger: Logger;
      now: () => Date;
      effectsWritten: () => void;
      longPollMs?: number;
    },
  ) {
    this.streams = new StreamService(deps);
  }

  get issuer(): string {
    return this.deps.issuer;
  }

  jwks() {
    return jwksOf([this.deps.key]);
  }

  /** RFC 8936 poll of one of the receiver's streams (another's answers 404, as one that does not exist). */
  async poll(receiver: SsfReceiver, streamId: string, body: unknown): Promise<StreamAnswer> {
    const stream = await this.streams.owned(receiver, streamId);
    if (!stream) return { status: 404, body: { error: 'not_found', description: 'No such stream.' } };
    return pollStream(
      { signals: this.deps.store.signals, logger: this.deps.logger, longPollMs: this.deps.longPollMs },
      stream,
      body,
    );
  }
}
