import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { z } from 'zod';
import type { SystemId } from '../catalog.js';
import type { RevocationEngine } from '../engine/engine.js';
import type { SignalStore } from '../engine/store-port/index.js';
import type { RevocationRequest } from '../engine/types.js';
import type { Logger } from '../log.js';
import { emailOfSubject } from './subject.js';

/** The JWT `typ` of a Global Token Revocation call (draft-parecki-oauth-global-token-revocation). */
export const GTR_TYP = 'global-token-revocation+jwt';

/** What the endpoint answers: 204, or an error status with an OAuth-style error. */
export type LogoutAnswer =
  | { status: 204 }
  | { status: 400 | 401 | 403 | 404 | 422; error: string; description: string };

export interface UniversalLogoutDeps {
  issuer: string;
  jwksUrl: string;
  audience: string;
  /** OKTA_UNIVERSAL_LOGOUT_AUTO: run without a Slack approval (unless the policy itself requires one). */
  auto: boolean;
  engine: RevocationEngine;
  signals: SignalStore;
  /** The configured systems (Okta is left out: its own sessions are Okta's to end). */
  systems: () => SystemId[];
  /** Starts an approved request's run in the background. */
  startRun: (request: RevocationRequest) => void;
  logger: Logger;
  now: () => Date;
  jwksCooldownMs?: number | undefined;
}

const bodySchema = z.union([
  z.object({ sub_id: z.record(z.string(), z.unknown()) }).passthrough(),
  z.object({ subject: z.record(z.string(), z.unknown()) }).passthrough(),
]);

const fail = (status: 400 | 401 | 403 | 404 | 422, error: string, description: string): LogoutAnswer => ({
  status,
  error,
  description,
});

/**
 * Okta Universal Logout's target (Global Token Revocation): the caller authenticates with a JWT
 * signed by a key of OKTA_UNIVERSAL_LOGOUT_JWKS_URL (`typ`, `iss`, `aud`, `exp`, `nbf`, `iat`,
 * `jti`, each checked; a `jti` is accepted once); the subject, by email or `iss_sub`, becomes one
 * request for every configured system but Okta, through the engine's one use case.
 */
export class UniversalLogout {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly deps: UniversalLogoutDeps) {
    this.jwks = createRemoteJWKSet(new URL(deps.jwksUrl), {
      cooldownDuration: deps.jwksCooldownMs ?? 30_000,
      cacheMaxAge: 600_000,
      timeoutDuration: 5_000,
    });
  }

  /** Checks the caller's JWT: the payload, or the 401/403 to answer. */
  private async authenticate(
    authorization: string | undefined,
  ): Promise<{ payload: JWTPayload } | LogoutAnswer> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return fail(401, 'invalid_token', 'Send Authorization: Bearer <a signed JWT>.');
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: this.deps.issuer,
        audience: this.deps.audience,
        typ: GTR_TYP,
        requiredClaims: ['exp', 'iat', 'jti'],
        maxTokenAge: '10m',
        clockTolerance: 60,
        currentDate: this.deps.now(),
      });
      if (payload.nbf === undefined) return fail(401, 'invalid_token', 'the JWT has no nbf');
      return { payload };
    } catch (error) {
      // Signed by a key of the issuer but meant for someone else: authenticated, not authorised.
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud')
        return fail(403, 'insufficient_scope', 'the JWT is not addressed to this endpoint');
      if (error instanceof errors.JOSEError || error instanceof TypeError)
        return fail(401, 'invalid_token', 'the JWT does not verify (signature, typ, iss, exp, nbf or iat)');
      throw error;
    }
  }

  /** Authenticates the call first, then reads its body (JSON text). */
  async revoke(authorization: string | undefined, text: string): Promise<LogoutAnswer> {
    const auth = await this.authenticate(authorization);
    if ('status' in auth) return auth;
    const jti = String(auth.payload.jti).slice(0, 200);
    const replayKey = `universal-logout:${this.deps.issuer}`;
    if (await this.deps.signals.inboundSeen(replayKey, jti))
      return fail(401, 'invalid_token', 'this JWT was used before');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return fail(400, 'invalid_request', 'the body is not JSON');
    }
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success)
      return fail(400, 'invalid_request', 'the body must name the subject as sub_id (or subject)');
    const subject = ('sub_id' in parsed.data ? parsed.data.sub_id : parsed.data.subject) as Record<
      string,
      unknown
    >;
    const format = subject.format;
    if (format !== 'email' && format !== 'iss_sub')
      return fail(400, 'unsupported_subject_format', 'the subject must be in format email or iss_sub');
    const email = emailOfSubject(subject);
    const actor = {
      kind: 'signal' as const,
      id: this.deps.issuer.slice(0, 200),
      name: 'Okta Universal Logout',
    };
    const remember = (outcome: string) =>
      this.deps.signals.rememberInbound(replayKey, jti, outcome, this.deps.now().toISOString());
    if ('unsupported' in email) {
      await this.deps.engine.refused(
        actor,
        `Universal Logout ${jti}: ${email.unsupported}`,
        'universal_logout',
      );
      await remember('unknown_subject');
      return fail(404, 'invalid_request', 'the subject is not known here');
    }
    const systems = this.deps.systems().filter((s) => s !== 'okta');
    if (systems.length === 0)
      return fail(422, 'unable_to_revoke', 'no system besides Okta is configured here');
    const asked = await this.deps.engine.ask({
      source: 'universal_logout',
      requester: actor,
      people: [{ kind: 'email', email: email.email }],
      systems,
      slackScope: 'all',
      reason: `Okta Universal Logout from ${this.deps.issuer}`.slice(0, 1000),
      origin: {},
      idempotencyKey: `universal-logout:${encodeURIComponent(this.deps.issuer)}:${jti}`,
      approvalRequired: this.deps.auto
        ? undefined
        : 'Okta Universal Logout waits for an approver (OKTA_UNIVERSAL_LOGOUT_AUTO is not true)',
    });
    if (!asked.ok) {
      await this.deps.engine.refused(
        actor,
        `Universal Logout ${jti}: ${asked.message}`.slice(0, 1000),
        'universal_logout',
      );
      await remember(asked.code);
      return asked.code === 'no_person'
        ? fail(404, 'invalid_request', 'the subject is not known here')
        : fail(422, 'unable_to_revoke', 'the person cannot be logged out here');
    }
    await remember('request');
    if (asked.created && asked.next === 'run') this.deps.startRun(asked.request);
    this.deps.logger.info(
      `Universal Logout ${jti}: request ${asked.request.id} ${asked.next === 'run' ? 'runs now' : 'waits for an approver'}`,
    );
    return { status: 204 };
  }
}
