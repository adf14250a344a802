/** A stream's status (SSF §8.1.2). */
export type StreamStatus = 'enabled' | 'paused' | 'disabled';

/** One SSF event stream as stored: who owns it (its `aud`), its configuration, its status. */
export interface StreamRecord {
  id: string;
  /** The owning receiver's audience: the stream's `aud`, and who may see or change it. */
  audience: string;
  /** `delivery`, `events_requested`, `description`: what the receiver set (SSF §8.1.1). */
  config: Record<string, unknown>;
  status: StreamStatus;
  statusReason: string | undefined;
  createdAt: string;
  updatedAt: string;
}

/** A SET waiting in a stream: for a poll receiver, or held while a push stream is paused. */
export interface QueuedSet {
  jti: string;
  set: string;
}

/**
 * The Shared Signals tables (streams, their waiting SETs, inbound jtis seen). Every method is atomic
 * on its own.
 */
export interface SignalStore {
  createStream(stream: StreamRecord): Promise<void>;
  getStream(id: string): Promise<StreamRecord | undefined>;
  /** Every stream, or only `audience`'s, oldest first. */
  listStreams(audience?: string): Promise<StreamRecord[]>;
  /** Changes a stream; false when there is none with this id. */
  updateStream(
    id: string,
    patch: { config?: Record<string, unknown>; status?: StreamStatus; statusReason?: string | null },
    now: string,
  ): Promise<boolean>;
  /** Deletes a stream and the SETs waiting in it; false when there was none. */
  deleteStream(id: string): Promise<boolean>;
  /** Adds a SET to a stream's queue; the same jti again adds nothing. */
  queueSet(streamId: string, jti: string, set: string, now: string): Promise<void>;
  /** Up to `max` waiting SETs, oldest first. */
  waitingSets(streamId: string, max: number): Promise<QueuedSet[]>;
  /** Removes these SETs from a stream's queue (acknowledged or delivered); returns how many. */
  removeSets(streamId: string, jtis: readonly string[]): Promise<number>;
  /** How many SETs wait in a stream. */
  countWaiting(streamId: string): Promise<number>;
  /** Whether an inbound SET with this `jti` from this issuer was recorded already. */
  inboundSeen(issuer: string, jti: string): Promise<boolean>;
  /** Records an inbound SET's `jti` with what became of it; false (changing nothing) when seen before. */
  rememberInbound(issuer: string, jti: string, outcome: string, now: string): Promise<boolean>;
  /** Forgets inbound jtis received before `before` (older than any accepted `iat`); returns how many. */
  pruneInbound(before: string): Promise<number>;
}
