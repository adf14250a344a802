import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { SsfReceiver } from '../config/signals.js';
import type { Logger } from '../log.js';
import type { Transmitter } from '../signals/transmitter-port.js';
import {
  DELIVERY,
  GLOBAL_TOKEN_REVOCATION_PATH,
  issuerPath,
  SSF_PATHS,
  WELL_KNOWN,
} from '../signals/vocabulary.js';
import { bearerMatches, sendJson } from './alert-endpoint.js';
import {
  type AsyncHandler,
  guarded,
  jsonBody,
  pathParam,
  queryParam,
  type RouteRequest,
} from './ssf-http.js';

export interface SsfTransmitterRouteDeps {
  transmitter: Transmitter;
  receivers: readonly SsfReceiver[];
  /** Published in the metadata when the Universal Logout target is on. */
  universalLogout: boolean;
  logger: Logger;
  bodyTimeoutMs: number;
}

/** SSF §7: the transmitter's configuration metadata. */
export function ssfMetadata(issuer: string, universalLogout: boolean): Record<string, unknown> {
  return {
    spec_version: '1_0',
    issuer,
    jwks_uri: `${issuer}${SSF_PATHS.jwks}`,
    delivery_methods_supported: [DELIVERY.push, DELIVERY.poll],
    configuration_endpoint: `${issuer}${SSF_PATHS.stream}`,
    status_endpoint: `${issuer}${SSF_PATHS.status}`,
    verification_endpoint: `${issuer}${SSF_PATHS.verify}`,
    authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
    // Every person whose sessions this app ends is told of: no subjects to add or remove.
    default_subjects: 'ALL',
    ...(universalLogout
      ? {
          global_token_revocation_endpoint: `${issuer}${GLOBAL_TOKEN_REVOCATION_PATH}`,
          global_token_revocation_endpoint_auth_methods_supported: ['private_key_jwt'],
        }
      : {}),
  };
}

/**
 * The transmitter's HTTP surface (transport only): metadata and JWKS in the open; stream management,
 * status, verification and poll for receivers with their bearer token (SSF_RECEIVERS). Each call is
 * one call on the transmitter port.
 */
export function ssfTransmitterRoutes(deps: SsfTransmitterRouteDeps): CustomRoute[] {
  const { transmitter, logger } = deps;
  const issuer = transmitter.issuer;
  const base = issuerPath(issuer);
  const receiverOf = (header: string | undefined): SsfReceiver | undefined =>
    // Every token is compared (constant time each), so the answer's timing says nothing of which matched.
    deps.receivers.reduce<SsfReceiver | undefined>(
      (found, r) => (bearerMatches(header, r.token) ? r : found),
      undefined,
    );
  const authed =
    (fn: (receiver: SsfReceiver, req: RouteRequest, res: ServerResponse) => Promise<void>): AsyncHandler =>
    (req, res) => {
      const receiver = receiverOf(req.headers.authorization);
      if (!receiver) {
        sendJson(
          res,
          401,
          { error: 'unauthorized', description: 'Send Authorization: Bearer <your receiver token>.' },
          {
            'www-authenticate': 'Bearer',
          },
        );
        return Promise.resolve();
      }
      return fn(receiver, req, res);
    };
  const answer = (res: ServerResponse, a: { status: number; body?: unknown }) => {
    if (a.body === undefined) {
      res.writeHead(a.status, { 'cache-control': 'no-store' });
      res.end();
    } else sendJson(res, a.status, a.body);
  };
  const withBody = (
    fn: (receiver: SsfReceiver, body: Record<string, unknown>) => Promise<{ status: number; body?: unknown }>,
  ) =>
    authed(async (receiver, req, res) => {
      const body = await jsonBody(req, res, deps.bodyTimeoutMs);
      if (body !== undefined) answer(res, await fn(receiver, body));
    });
  /** A call naming its stream in the query (`?stream_id=`). */
  const byId = (
    fn: (receiver: SsfReceiver, id: string | undefined) => Promise<{ status: number; body?: unknown }>,
  ) => authed(async (r, req, res) => answer(res, await fn(r, queryParam(req, 'stream_id'))));
  const route = (path: string, method: string, what: string, fn: AsyncHandler): CustomRoute => ({
    path,
    method: [method],
    handler: guarded(logger, `SSF ${what}`, fn),
  });
  const metadata = route(WELL_KNOWN, 'GET', 'metadata', async (_req, res) =>
    sendJson(res, 200, ssfMetadata(issuer, deps.universalLogout), { 'cache-control': 'max-age=300' }),
  );
  const streams = transmitter.streams;
  return [
    metadata,
    // SSF §7.1: with a path in the issuer, the metadata is also at the well-known path with it appended.
    ...(base ? [{ ...metadata, path: `${WELL_KNOWN}${base}` }] : []),
    route(`${base}${SSF_PATHS.jwks}`, 'GET', 'JWKS', async (_req, res) =>
      sendJson(res, 200, transmitter.jwks(), {
        'cache-control': 'max-age=300',
        'content-type': 'application/jwk-set+json',
      }),
    ),
    // Stream management (SSF §8): [path, method, what it does, how].
    ...(
      [
        [SSF_PATHS.stream, 'POST', 'stream create', withBody((r, b) => streams.create(r, b))],
        [SSF_PATHS.stream, 'GET', 'stream read', byId((r, id) => streams.read(r, id))],
        [SSF_PATHS.stream, 'PATCH', 'stream update', withBody((r, b) => streams.update(r, b, false))],
        [SSF_PATHS.stream, 'PUT', 'stream replace', withBody((r, b) => streams.update(r, b, true))],
        [SSF_PATHS.stream, 'DELETE', 'stream delete', byId((r, id) => streams.remove(r, id))],
        [SSF_PATHS.status, 'GET', 'stream status', byId((r, id) => streams.status(r, id))],
        [SSF_PATHS.status, 'POST', 'stream status update', withBody((r, b) => streams.setStatus(r, b))],
        [SSF_PATHS.verify, 'POST', 'verification', withBody((r, b) => streams.verify(r, b))],
      ] as const
    ).map(([path, method, what, fn]) => route(`${base}${path}`, method, what, fn)),
    route(
      `${base}${SSF_PATHS.poll}/:id`,
      'POST',
      'poll',
      authed(async (r, req, res) => {
        const body = await jsonBody(req, res, deps.bodyTimeoutMs);
        if (body !== undefined) answer(res, await transmitter.poll(r, pathParam(req, 'id'), body));
      }),
    ),
  ];
}
