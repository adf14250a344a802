import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SsfReceiver } from '../config/signals.js';
import { SIGNAL_EFFECT } from '../engine/signal-effects.js';
import type { SignalStore, Store, StreamRecord, StreamStatus } from '../engine/store-port/index.js';
import { insecureUrlProblem, remoteTargetProblem } from '../util/secure-url.js';
import { DELIVERY, EVENTS_SUPPORTED, SSF_PATHS } from './vocabulary.js';

/** What a stream call answers: a status and a JSON body (or none). */
export type StreamAnswer = { status: number; body?: unknown };

const uri = z.string().min(1).max(500);
const deliverySchema = z
  .object({
    method: z.enum([DELIVERY.push, DELIVERY.poll]),
    endpoint_url: z.string().max(2000).optional(),
    authorization_header: z.string().max(4000).optional(),
  })
  .passthrough();

/** The receiver-supplied properties (SSF §8.1.1); transmitter-supplied ones sent back are ignored. */
const receiverSupplied = z
  .object({
    delivery: deliverySchema.optional(),
    events_requested: z.array(uri).max(50).optional(),
    description: z.string().max(1000).optional(),
  })
  .passthrough();

const streamIdOnly = z.object({ stream_id: z.string().min(1).max(100) }).passthrough();
const statusSchema = z.object({
  stream_id: z.string().min(1).max(100),
  status: z.enum(['enabled', 'paused', 'disabled']),
  reason: z.string().max(500).optional(),
});
const verifySchema = z.object({
  stream_id: z.string().min(1).max(100),
  state: z.string().max(500).optional(),
});

const bad = (description: string): StreamAnswer => ({
  status: 400,
  body: { error: 'invalid_request', description },
});
const NOT_FOUND: StreamAnswer = { status: 404, body: { error: 'not_found', description: 'No such stream.' } };

export interface StreamServiceDeps {
  store: Store;
  issuer: string;
  now: () => Date;
  /** Told after effects were written (the outbox worker delivers them at once). */
  effectsWritten: () => void;
}

/**
 * SSF §8 stream management for authenticated receivers. Each receiver sees and changes only the
 * streams of its own audience (another's stream answers exactly like one that does not exist).
 * Push and poll are both accepted; a push endpoint must be https:// (or http:// on loopback), never
 * link-local, and on loopback only when this transmitter's issuer is on loopback too.
 */
export class StreamService {
  private readonly signals: SignalStore;

  constructor(private readonly deps: StreamServiceDeps) {
    this.signals = deps.store.signals;
  }

  /** The stream configuration as SSF §8.1.1 shows it (the push authorization header is never echoed). */
  view(stream: StreamRecord): Record<string, unknown> {
    const requested = (stream.config.events_requested as string[] | undefined) ?? [];
    const delivery = { ...(stream.config.delivery as Record<string, unknown>) };
    delete delivery.authorization_header;
    return {
      stream_id: stream.id,
      iss: this.deps.issuer,
      aud: stream.audience,
      events_supported: [...EVENTS_SUPPORTED],
      events_requested: requested,
      events_delivered: requested.filter((e) => EVENTS_SUPPORTED.includes(e)),
      delivery,
      ...(typeof stream.config.description === 'string' ? { description: stream.config.description } : {}),
    };
  }

  /** Checks and completes what a receiver sent: the delivery (poll by default) and the events. */
  private configOf(id: string, body: unknown): { config: Record<string, unknown> } | { problem: string } {
    const parsed = receiverSupplied.safeParse(body);
    if (!parsed.success)
      return { problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
    const { delivery, events_requested, description } = parsed.data;
    const method = delivery?.method ?? DELIVERY.poll;
    let out: Record<string, unknown>;
    if (method === DELIVERY.push) {
      const endpoint = delivery?.endpoint_url;
      if (!endpoint) return { problem: 'delivery.endpoint_url is required for push delivery' };
      const problem = insecureUrlProblem(endpoint) ?? remoteTargetProblem(endpoint, this.deps.issuer);
      if (problem) return { problem: `delivery.endpoint_url is refused: ${problem}` };
      out = {
        method,
        endpoint_url: endpoint,
        ...(delivery?.authorization_header ? { authorization_header: delivery.authorization_header } : {}),
      };
    } else {
      out = { method, endpoint_url: `${this.deps.issuer}${SSF_PATHS.poll}/${id}` };
    }
    return {
      config: {
        delivery: out,
        events_requested: events_requested ?? [],
        ...(description ? { description } : {}),
      },
    };
  }

  async owned(receiver: SsfReceiver, id: string): Promise<StreamRecord | undefined> {
    const stream = await this.signals.getStream(id);
    return stream && stream.audience === receiver.audience ? stream : undefined;
  }

  private iso(): string {
    return this.deps.now().toISOString();
  }

  async create(receiver: SsfReceiver, body: unknown): Promise<StreamAnswer> {
    const id = randomUUID();
    const made = this.configOf(id, body);
    if ('problem' in made) return bad(made.problem);
    const now = this.iso();
    const stream: StreamRecord = {
      id,
      audience: receiver.audience,
      config: made.config,
      status: 'enabled',
      statusReason: undefined,
      createdAt: now,
      updatedAt: now,
    };
    await this.signals.createStream(stream);
    return { status: 201, body: this.view(stream) };
  }

  async read(receiver: SsfReceiver, id: string | undefined): Promise<StreamAnswer> {
    if (id === undefined)
      return {
        status: 200,
        body: (await this.signals.listStreams(receiver.audience)).map((s) => this.view(s)),
      };
    const stream = await this.owned(receiver, id);
    return stream ? { status: 200, body: this.view(stream) } : NOT_FOUND;
  }

  /** PATCH (`replace` false: only the properties given change) or PUT (`replace`: all of them). */
  async update(receiver: SsfReceiver, body: unknown, replace: boolean): Promise<StreamAnswer> {
    const ids = streamIdOnly.safeParse(body);
    if (!ids.success) return bad('stream_id is required');
    const stream = await this.owned(receiver, ids.data.stream_id);
    if (!stream) return NOT_FOUND;
    const given = body as Record<string, unknown>;
    const merged = replace
      ? given
      : {
          delivery: given.delivery ?? stream.config.delivery,
          events_requested: given.events_requested ?? stream.config.events_requested,
          description: given.description ?? stream.config.description,
        };
    const made = this.configOf(stream.id, merged);
    if ('problem' in made) return bad(made.problem);
    // A PATCH that keeps a push endpoint keeps its authorization header unless it sends a new one.
    const keep = stream.config.delivery as Record<string, unknown>;
    const next = made.config.delivery as Record<string, unknown>;
    if (!replace && given.delivery === undefined && keep.authorization_header)
      next.authorization_header = keep.authorization_header;
    await this.signals.updateStream(stream.id, { config: made.config }, this.iso());
    return { status: 200, body: this.view({ ...stream, config: made.config }) };
  }

  async remove(receiver: SsfReceiver, id: string | undefined): Promise<StreamAnswer> {
    if (!id) return bad('stream_id is required');
    if (!(await this.owned(receiver, id))) return NOT_FOUND;
    await this.signals.deleteStream(id);
    return { status: 204 };
  }

  async status(receiver: SsfReceiver, id: string | undefined): Promise<StreamAnswer> {
    if (!id) return bad('stream_id is required');
    const stream = await this.owned(receiver, id);
    if (!stream) return NOT_FOUND;
    return { status: 200, body: statusView(stream) };
  }

  /** Sets a stream's status; a paused push stream that is enabled again gets what it held. */
  async setStatus(receiver: SsfReceiver, body: unknown): Promise<StreamAnswer> {
    const parsed = statusSchema.safeParse(body);
    if (!parsed.success) return bad('stream_id and status (enabled, paused or disabled) are required');
    const stream = await this.owned(receiver, parsed.data.stream_id);
    if (!stream) return NOT_FOUND;
    const status: StreamStatus = parsed.data.status;
    const now = this.iso();
    await this.signals.updateStream(stream.id, { status, statusReason: parsed.data.reason ?? null }, now);
    const delivery = stream.config.delivery as { method?: string };
    if (status === 'enabled' && stream.status !== 'enabled' && delivery.method === DELIVERY.push) {
      await this.deps.store.addEffects(
        [
          {
            kind: SIGNAL_EFFECT.flush,
            key: `${SIGNAL_EFFECT.flush}:${stream.id}:${now}`,
            payload: { stream: stream.id },
          },
        ],
        now,
      );
      this.deps.effectsWritten();
    }
    // Disabled: nothing is held for it any more (SSF §8.1.2.1).
    if (status === 'disabled')
      await this.signals.removeSets(
        stream.id,
        (await this.signals.waitingSets(stream.id, 10_000)).map((s) => s.jti),
      );
    return { status: 200, body: statusView({ ...stream, status, statusReason: parsed.data.reason }) };
  }

  /** SSF §8.1.4: 204 now, then a verification SET echoing `state`, through the outbox. */
  async verify(receiver: SsfReceiver, body: unknown): Promise<StreamAnswer> {
    const parsed = verifySchema.safeParse(body);
    if (!parsed.success) return bad('stream_id is required; state, when given, is a string');
    const stream = await this.owned(receiver, parsed.data.stream_id);
    if (!stream) return NOT_FOUND;
    const now = this.deps.now();
    const jti = randomUUID();
    await this.deps.store.addEffects(
      [
        {
          kind: SIGNAL_EFFECT.verification,
          key: `${SIGNAL_EFFECT.verification}:${stream.id}:${jti}`,
          payload: {
            stream: stream.id,
            jti,
            iat: Math.floor(now.getTime() / 1000),
            ...(parsed.data.state !== undefined ? { state: parsed.data.state } : {}),
          },
        },
      ],
      now.toISOString(),
    );
    this.deps.effectsWritten();
    return { status: 204 };
  }
}

function statusView(stream: Pick<StreamRecord, 'id' | 'status' | 'statusReason'>) {
  return {
    stream_id: stream.id,
    status: stream.status,
    ...(stream.statusReason ? { reason: stream.statusReason } : {}),
  };
}
