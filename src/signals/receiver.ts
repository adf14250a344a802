import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import type { SystemId } from '../catalog.js';
import type { SsfInboundIssuer } from '../config/signals.js';
import type { RevocationEngine } from '../engine/engine.js';
import type { SignalStore } from '../engine/store-port/index.js';
import type { Logger } from '../log.js';
import { emailOfSubject } from './subject.js';
import { EVENT, SET_TYP } from './vocabulary.js';

/** RFC 8935 §2.4's error codes. */
export type PushError =
  | 'invalid_request'
  | 'invalid_key'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'authentication_failed'
  | 'access_denied';

/** What the receiver answers one pushed SET. */
export type ReceiveAnswer =
  | { status: 202; requestId?: string | undefined }
  | { status: 400; err: PushError; description: string }
  | { status: 503; description: string };

/** The signals that become a revocation request, with the name the card and the audit log give them. */
const ACTIONABLE: Readonly<Record<string, string>> = {
  [EVENT.sessionRevoked]: 'CAEP session-revoked',
  [EVENT.credentialChange]: 'CAEP credential-change',
  [EVENT.accountDisabled]: 'RISC account-disabled',
  [EVENT.credentialChangeRequired]: 'RISC account-credential-change-required',
  [EVENT.sessionsRevoked]: 'RISC sessions-revoked',
};

/** How old a SET's `iat` may be (and how far in the future, as clock skew). */
const MAX_AGE_S = 300;
const SKEW_S = 60;

export interface SignalReceiverDeps {
  issuers: readonly SsfInboundIssuer[];
  engine: RevocationEngine;
  signals: SignalStore;
  systems: () => SystemId[];
  logger: Logger;
  now: () => Date;
  /** After a JWKS read, how long before an unknown `kid` may make it read again (default 30 s). */
  jwksCooldownMs?: number | undefined;
}

const refuse = (err: PushError, description: string): ReceiveAnswer => ({ status: 400, err, description });

/** Maps a verification failure to RFC 8935's error (or 503 when the JWKS could not be read). */
function verificationError(error: unknown): ReceiveAnswer {
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return refuse('invalid_audience', 'the SET is not addressed to this receiver');
    if (error.claim === 'iss') return refuse('invalid_issuer', 'unexpected issuer');
    if (error.claim === 'iat')
      return refuse('invalid_request', `iat is missing, more than ${MAX_AGE_S} s old, or in the future`);
    return refuse('invalid_request', `the ${error.claim} claim is invalid`);
  }
  if (error instanceof errors.JWTExpired) return refuse('invalid_request', 'the SET has expired');
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JWKSMultipleMatchingKeys
  )
    return refuse('invalid_key', 'the signature does not verify with any key of the issuer');
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    error instanceof TypeError
  )
    return { status: 503, description: "the issuer's keys could not be read; try again" };
  if (error instanceof errors.JOSEError)
    return refuse('invalid_request', 'the SET is not a valid signed JWT');
  throw error;
}

/**
 * The Shared Signals receiver (RFC 8935 push): verifies each SET against its issuer's JWKS (cached,
 * re-read when an unknown `kid` appears), `typ`, `iss`, `aud`, `iat` freshness and `jti` replay;
 * each actionable CAEP/RISC signal becomes one revocation request through the engine's one use
 * case — always waiting for an approver — and a person the app cannot find is recorded, not asked.
 */
export class SignalReceiver {
  private readonly jwks = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(private readonly deps: SignalReceiverDeps) {
    for (const i of deps.issuers)
      this.jwks.set(
        i.issuer,
        createRemoteJWKSet(new URL(i.jwksUri), {
          cooldownDuration: deps.jwksCooldownMs ?? 30_000,
          cacheMaxAge: 600_000,
          timeoutDuration: 5_000,
        }),
      );
  }

  async receive(token: string): Promise<ReceiveAnswer> {
    let claimedIssuer: unknown;
    try {
      if (
        decodeProtectedHeader(token)
          .typ?.toLowerCase()
          .replace(/^application\//, '') !== SET_TYP
      )
        return refuse('invalid_request', `the JWT typ must be ${SET_TYP}`);
      claimedIssuer = decodeJwt(token).iss;
    } catch {
      return refuse('invalid_request', 'the body is not a JWT');
    }
    const issuer = this.deps.issuers.find((i) => i.issuer === claimedIssuer);
    const keys = issuer && this.jwks.get(issuer.issuer);
    if (!issuer || !keys)
      return refuse('invalid_issuer', 'this receiver does not accept SETs from this issuer');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: issuer.issuer,
        audience: issuer.audience,
        typ: SET_TYP,
        maxTokenAge: MAX_AGE_S,
        clockTolerance: SKEW_S,
        currentDate: this.deps.now(),
        requiredClaims: ['iat', 'jti'],
      }));
    } catch (error) {
      return verificationError(error);
    }
    const iat = payload.iat ?? 0;
    if (iat > this.deps.now().getTime() / 1000 + SKEW_S)
      return refuse('invalid_request', 'iat is in the future');
    const jti = String(payload.jti).slice(0, 200);
    if (await this.deps.signals.inboundSeen(issuer.issuer, jti))
      return refuse('invalid_request', 'this jti was received before (replay)');
    const outcome = await this.act(issuer.issuer, jti, payload);
    await this.deps.signals.rememberInbound(
      issuer.issuer,
      jti,
      outcome.recorded,
      this.deps.now().toISOString(),
    );
    return { status: 202, requestId: outcome.requestId };
  }

  /** Turns a verified SET into a request (or records why not). */
  private async act(
    iss: string,
    jti: string,
    payload: JWTPayload,
  ): Promise<{ recorded: string; requestId?: string | undefined }> {
    const events = (typeof payload.events === 'object' && payload.events) || {};
    const [type, event] = Object.entries(events).find(([t]) => t in ACTIONABLE) ?? [];
    const actor = { kind: 'signal' as const, id: iss.slice(0, 200) };
    if (!type || typeof event !== 'object' || event === null) {
      await this.deps.engine.refused(actor, `no actionable event in SET ${jti}`, 'signal');
      return { recorded: 'ignored' };
    }
    const name = ACTIONABLE[type] ?? type;
    // SSF 1.0 puts the subject in `sub_id`; earlier CAEP drafts (and some transmitters) in the event's `subject`.
    const subject = emailOfSubject(payload.sub_id ?? (event as { subject?: unknown }).subject);
    if ('unsupported' in subject) {
      await this.deps.engine.refused(actor, `${name} signal ${jti}: ${subject.unsupported}`, 'signal');
      return { recorded: 'unsupported_subject' };
    }
    const given = (event as { reason_admin?: { en?: unknown } }).reason_admin?.en;
    const reason =
      `${name} signal from ${iss}${typeof given === 'string' && given.trim() ? `: ${given.trim()}` : ''}`.slice(
        0,
        1000,
      );
    const asked = await this.deps.engine.ask({
      source: 'signal',
      requester: { ...actor, name: `${name} from ${iss}`.slice(0, 200) },
      people: [{ kind: 'email', email: subject.email }],
      systems: this.deps.systems(),
      slackScope: 'all',
      reason,
      origin: {},
      // The same jti never makes two requests, even when two deliveries race past the replay check.
      idempotencyKey: `signal:${encodeURIComponent(iss)}:${jti}`,
    });
    if (!asked.ok) {
      this.deps.logger.info(
        `SSF: ${name} signal ${jti} from ${iss} names nobody the app can find; recorded, no request`,
      );
      await this.deps.engine.refused(
        actor,
        `${name} signal ${jti}: ${asked.message}`.slice(0, 1000),
        'signal',
      );
      return { recorded: 'unknown_person' };
    }
    this.deps.logger.info(
      `SSF: ${name} signal ${jti} from ${iss} became request ${asked.request.id} (waiting for approval)`,
    );
    return { recorded: 'request', requestId: asked.request.id };
  }
}
