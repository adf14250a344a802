import type { JWTPayload } from 'jose';
import type { SystemId } from '../catalog.js';
import { SIGNAL_EFFECT } from '../engine/signal-effects.js';
import type { Store, StreamRecord } from '../engine/store-port/index.js';
import { allTargets } from '../engine/types.js';
import type { Logger } from '../log.js';
import type { SystemSettings } from '../providers/registry.js';
import { type Delivery, type EffectHandler, PermanentEffectError } from '../runtime/outbox-worker.js';
import type { SigningKey } from '../signing/key.js';
import { pushSet } from './push.js';
import { signSet, subjectOf } from './set.js';
import { DELIVERY, EVENT } from './vocabulary.js';

export interface TransmitterDeps {
  store: Store;
  issuer: string;
  key: SigningKey;
  /** The configured systems' settings: a system with a tenant names it in the subject. */
  systems: SystemSettings;
  logger: Logger;
  /** Per-push timeout (default 10 s). */
  pushTimeoutMs?: number;
  fetch?: typeof fetch;
}

/** The tenant a system's accounts live in, where it has one: Entra's tenant, Box's enterprise, Huawei's identity store. */
function tenantOf(systems: SystemSettings, system: SystemId): string | undefined {
  if (system === 'entra') return systems.entra?.tenantId;
  if (system === 'box') return systems.box?.enterpriseId;
  if (system === 'huawei') return systems.huawei?.identityStoreId;
  return undefined;
}

const EMAIL = /^[^@\s]+@[^@\s]+$/;
const seconds = (iso: string | undefined, fallback: number) => {
  const ms = Date.parse(iso ?? '');
  return Number.isNaN(ms) ? fallback : Math.floor(ms / 1000);
};

/** A stream's delivery, as stored. */
type PushTarget = { method: string; endpoint_url: string; authorization_header?: string };

type StreamProgress = { done?: string[]; rejected?: Record<string, string> };

/**
 * The Shared Signals presenter of the outbox: each effect becomes one SET per stream that asked for
 * it. A push stream that is enabled gets it pushed (RFC 8935); a poll stream, or a push stream that
 * is paused, gets it queued (RFC 8936, or held until enabled again); a disabled stream nothing.
 * Which streams have it is saved as progress, so a retry (5xx, timeout, a crash) sends only to the
 * others — the same SET, with the same `jti`, fixed when the effect was written.
 */
export function transmitterHandlers(deps: TransmitterDeps): Record<string, EffectHandler> {
  const { store, logger } = deps;
  const timeout = deps.pushTimeoutMs ?? 10_000;
  const push = (to: PushTarget, set: string) =>
    pushSet(to.endpoint_url, to.authorization_header, set, timeout, deps.fetch);

  /** Sends `set` to every stream not yet done; throws (to be retried) if any asks for a retry. */
  async function fanOut(
    d: Delivery,
    streams: StreamRecord[],
    jti: string,
    setFor: (s: StreamRecord) => Promise<string>,
  ) {
    const progress = (d.effect.progress ?? {}) as StreamProgress;
    const done = new Set(progress.done ?? []);
    const retries: string[] = [];
    for (const stream of streams) {
      if (done.has(stream.id) || stream.status === 'disabled') continue;
      const set = await setFor(stream);
      const delivery = stream.config.delivery as PushTarget;
      if (delivery.method !== DELIVERY.push || stream.status === 'paused') {
        await store.signals.queueSet(stream.id, jti, set, new Date().toISOString());
      } else {
        const outcome = await push(delivery, set);
        if ('retry' in outcome) {
          retries.push(`stream ${stream.id}: ${outcome.retry}`);
          continue;
        }
        if ('rejected' in outcome) {
          const why = `${outcome.rejected.err}${outcome.rejected.description ? `: ${outcome.rejected.description}` : ''}`;
          logger.warn(`SSF: stream ${stream.id} rejected SET ${jti} (${why}); not retried`);
          await store.appendAudit(
            {
              requestId: typeof d.effect.payload.request === 'string' ? d.effect.payload.request : undefined,
              actor: 'engine',
              action: 'signal_rejected',
              data: {
                stream: stream.id,
                jti,
                err: outcome.rejected.err,
                description: outcome.rejected.description,
              },
            },
            new Date().toISOString(),
          );
          progress.rejected = { ...(progress.rejected ?? {}), [stream.id]: why };
        }
      }
      done.add(stream.id);
      await d.saveProgress({ ...progress, done: [...done] });
    }
    if (retries.length > 0) throw new Error(retries.join('; '));
  }

  const claims = (stream: StreamRecord, jti: string, iat: number, rest: JWTPayload): JWTPayload => ({
    iss: deps.issuer,
    aud: stream.audience,
    iat,
    jti,
    ...rest,
  });

  return {
    [SIGNAL_EFFECT.sessionRevoked]: async (d) => {
      const p = d.effect.payload as { request?: unknown; step?: unknown; jti?: unknown; iat?: unknown };
      if (typeof p.request !== 'string' || typeof p.step !== 'string' || typeof p.jti !== 'string')
        throw new PermanentEffectError('a session-revoked effect without its request, step or jti');
      const request = await store.getRequest(p.request);
      const step = (await store.listSteps(p.request)).find((s) => s.key === p.step);
      if (!request || !step)
        throw new PermanentEffectError(`request ${p.request} or its step ${p.step} is not in the store`);
      const person = allTargets(request)[step.targetIndex] ?? request.target;
      const email =
        person.email ?? (step.account && EMAIL.test(step.account.login) ? step.account.login : undefined);
      if (!email) {
        logger.warn(
          `SSF: request ${request.id} ${step.key}: no email for the person, so no session-revoked event`,
        );
        return;
      }
      const iat = typeof p.iat === 'number' ? p.iat : Math.floor(Date.parse(d.effect.createdAt) / 1000);
      const event = {
        event_timestamp: seconds(step.finishedAt, iat),
        initiating_entity: request.source === 'signal' ? 'policy' : 'admin',
        // Only what the requester typed, in the language-keyed form CAEP §2 requires.
        reason_admin: { en: request.reason },
      };
      const streams = (await store.signals.listStreams()).filter((s) =>
        ((s.config.events_requested as string[] | undefined) ?? []).includes(EVENT.sessionRevoked),
      );
      const jti = p.jti;
      await fanOut(d, streams, jti, (stream) =>
        signSet(
          deps.key,
          claims(stream, jti, iat, {
            txn: request.id,
            sub_id: subjectOf(email, tenantOf(deps.systems, step.system)),
            events: { [EVENT.sessionRevoked]: event },
          }),
        ),
      );
    },
    [SIGNAL_EFFECT.verification]: async (d) => {
      const p = d.effect.payload as { stream?: unknown; jti?: unknown; iat?: unknown; state?: unknown };
      const stream = typeof p.stream === 'string' ? await store.signals.getStream(p.stream) : undefined;
      if (!stream || typeof p.jti !== 'string') return; // deleted meanwhile: nobody to tell
      const jti = p.jti;
      const iat = typeof p.iat === 'number' ? p.iat : Math.floor(Date.now() / 1000);
      await fanOut(d, [stream], jti, (s) =>
        signSet(
          deps.key,
          claims(s, jti, iat, {
            sub_id: { format: 'opaque', id: s.id },
            events: { [EVENT.verification]: typeof p.state === 'string' ? { state: p.state } : {} },
          }),
        ),
      );
    },
    [SIGNAL_EFFECT.flush]: async (d) => {
      const id = String(d.effect.payload.stream ?? '');
      const stream = await store.signals.getStream(id);
      const delivery = stream?.config.delivery as PushTarget | undefined;
      if (!stream || stream.status !== 'enabled' || delivery?.method !== DELIVERY.push) return;
      for (;;) {
        const held = await store.signals.waitingSets(id, 50);
        if (held.length === 0) return;
        for (const { jti, set } of held) {
          const outcome = await push(delivery, set);
          if ('retry' in outcome) throw new Error(`stream ${id}: ${outcome.retry}`);
          if ('rejected' in outcome)
            logger.warn(`SSF: stream ${id} rejected held SET ${jti} (${outcome.rejected.err}); not retried`);
          await store.signals.removeSets(id, [jti]);
        }
      }
    },
  };
}
