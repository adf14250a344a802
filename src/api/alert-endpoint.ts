import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { SYSTEM_IDS, type SystemId } from '../catalog.js';
import type { RevocationEngine } from '../engine/engine.js';
import type { RevocationRequest, RevocationStep } from '../engine/types.js';
import type { Logger } from '../log.js';
import { DEFAULT_HTTP_LIMITS } from '../slack/http-limits.js';
import { isRequestId } from '../util/ids.js';
import { MAX_REASON_CHARS, SLACK_USER_ID, unconfigured } from '../util/input-rules.js';
import { conflictBody, conflictData, sameAlert, scopedIdempotencyKey } from './idempotency.js';

const MAX_BODY = 64 * 1024;
export const REQUESTS_PATH = '/api/revocation-requests';

/** The alert body, validated where it arrives. */
export const alertSchema = z
  .object({
    email: z.email().max(254).optional(),
    slack_user_id: z.string().regex(SLACK_USER_ID, 'a Slack user ID such as U0123ABCD').optional(),
    reason: z.string().trim().min(1, 'required').max(MAX_REASON_CHARS),
    source: z.string().trim().min(1, 'required').max(100),
    systems: z.array(z.enum(SYSTEM_IDS)).min(1).max(SYSTEM_IDS.length).optional(),
    idempotency_key: z.string().min(1).max(200).optional(),
  })
  .strict()
  .refine((b) => (b.email === undefined) !== (b.slack_user_id === undefined), {
    message: 'give exactly one of email or slack_user_id',
    path: ['email'],
  });

export type AlertBody = z.infer<typeof alertSchema>;

export interface AlertEndpointDeps {
  apiToken: string;
  /** Everything the API records and reads (the status URL) goes through the engine. */
  engine: RevocationEngine;
  systems: SystemId[];
  logger: Logger;
  /**
   * Deadline for a body this handler reads itself (default: the server's, 5 s). The HTTP server's body guard
   * normally reads it first, under the same limits as Slack's requests, and hands it on.
   */
  bodyTimeoutMs?: number | undefined;
}

/** Sends a JSON answer that no cache keeps. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time bearer check (hashing first makes the comparison length-independent). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1] !== undefined && timingSafeEqual(digest(m[1]), digest(token));
}

/** A body as read: its text, or why it was refused (too large, or not complete in time). */
export type BodyRead = { text: string } | { refused: 413 | 408 };

/**
 * The request body, at most {@link MAX_BODY} bytes: the body guard's buffered copy when it read
 * it (it always does on the app's HTTP server), else read here with the same size bound and a
 * deadline, so these handlers never wait for, or hold, an unbounded body wherever they are mounted.
 */
export function readBody(req: IncomingMessage, timeoutMs: number): Promise<BodyRead> {
  const buffered = (req as IncomingMessage & { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(buffered)) {
    return Promise.resolve(
      buffered.length > MAX_BODY ? { refused: 413 } : { text: buffered.toString('utf8') },
    );
  }
  return new Promise((resolve) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyRead) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      chunks = [];
      req.off('data', onData);
      // Refused: drain what is still coming (never kept) until the answer closes the connection.
      if ('refused' in result) req.resume();
      resolve(result);
    };
    const timer = setTimeout(() => settle({ refused: 408 }), timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) settle({ refused: 413 });
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => settle({ text: Buffer.concat(chunks).toString('utf8') }));
    req.once('error', () => settle({ refused: 408 }));
    req.once('close', () => settle({ refused: 408 }));
  });
}

function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || 'body';
    fields[key] ??= issue.message;
  }
  return fields;
}

/** The public view of a request for the status URL: no secrets, no workflow tokens. */
export function publicRequest(request: RevocationRequest, steps: RevocationStep[]) {
  return {
    id: request.id,
    status: request.status,
    source: request.source,
    created_at: request.createdAt,
    expires_at: request.expiresAt ?? null,
    decided_by: request.decidedBy ?? null,
    summary: request.summary ?? null,
    target: { email: request.target.email ?? null, slack_user_id: request.target.slackUserId ?? null },
    systems: steps.map((s) => ({
      system: s.system,
      state: s.state,
      detail: s.result?.detail ?? s.result?.error?.message ?? null,
      vendor_request_id: s.result?.error?.requestId ?? s.result?.vendorRequestId ?? null,
      remaining_sessions: s.result?.remaining ?? null,
    })),
    status_url: `${REQUESTS_PATH}/${request.id}`,
  };
}

/**
 * `POST /api/revocation-requests` for SIEM/EDR tools: bearer auth, zod-validated
 * body, always needs approval, idempotent by key (scoped by the caller's `source`; the same
 * key for a different alert is a 409, never a replay); `GET …/{id}` reports the status of a
 * request an alert created (any other id is a 404, like an unknown one).
 */
export function createAlertHandlers(deps: AlertEndpointDeps) {
  const unauthorized = (res: ServerResponse) =>
    sendJson(
      res,
      401,
      { error: 'unauthorized', message: 'Send Authorization: Bearer <REVOKE_API_TOKEN>.' },
      {
        'www-authenticate': 'Bearer',
      },
    );

  /**
   * The key was used before for a different alert: 409 naming that request, nothing recorded
   * as a request, and the refused alert kept in the audit log so it is not lost silently.
   */
  async function conflict(
    res: ServerResponse,
    existing: RevocationRequest,
    body: AlertBody,
    requesterId: string,
    systems: readonly SystemId[],
  ): Promise<void> {
    await deps.engine.idempotencyConflict(
      existing.id,
      { kind: 'api', id: requesterId },
      conflictData({
        requesterId,
        idempotencyKey: body.idempotency_key,
        email: body.email,
        slackUserId: body.slack_user_id,
        reason: body.reason,
        systems,
      }),
    );
    deps.logger.warn(
      `alert API: idempotency key reused by ${requesterId} for a different alert; request ${existing.id} kept, the new alert refused`,
    );
    const statusUrl = `${REQUESTS_PATH}/${existing.id}`;
    sendJson(res, 409, conflictBody(existing, statusUrl), { location: statusUrl });
  }

  async function create(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!bearerMatches(req.headers.authorization, deps.apiToken)) return unauthorized(res);
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return sendJson(res, 415, {
        error: 'unsupported_media_type',
        message: 'Send Content-Type: application/json.',
      });
    }
    const read = await readBody(req, deps.bodyTimeoutMs ?? DEFAULT_HTTP_LIMITS.bodyTimeoutMs);
    if ('refused' in read) {
      // The rest of the body is not read: close the connection rather than keep it for another request.
      const close = { connection: 'close' };
      if (read.refused === 413)
        return sendJson(
          res,
          413,
          { error: 'payload_too_large', message: `At most ${MAX_BODY} bytes.` },
          close,
        );
      return sendJson(
        res,
        408,
        { error: 'request_timeout', message: 'The body did not arrive in time.' },
        close,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(read.text);
    } catch {
      return sendJson(res, 400, { error: 'invalid_json', message: 'The body is not valid JSON.' });
    }
    const parsed = alertSchema.safeParse(json);
    if (!parsed.success) {
      return sendJson(res, 400, { error: 'invalid_request', fields: fieldErrors(parsed.error) });
    }
    const body = parsed.data;
    const systems = body.systems ?? deps.systems;
    const missing = unconfigured(systems, deps.systems);
    if (missing.length > 0) {
      return sendJson(res, 400, {
        error: 'invalid_request',
        fields: { systems: `not configured here: ${missing.join(', ')}` },
      });
    }
    const requesterId = body.source.replace(/[^\w .:@/-]/g, '').slice(0, 100) || 'api';
    const asked = await deps.engine.ask({
      source: 'api',
      requester: { kind: 'api', id: requesterId },
      people: [
        body.slack_user_id
          ? { kind: 'user', userId: body.slack_user_id }
          : { kind: 'email', email: body.email ?? '' },
      ],
      systems: [...systems],
      slackScope: 'all',
      reason: body.reason,
      origin: {},
      idempotencyKey: body.idempotency_key
        ? scopedIdempotencyKey(body.source, body.idempotency_key)
        : undefined,
    });
    if (!asked.ok) return sendJson(res, 400, { error: 'unknown_person', message: asked.message });
    const { request, created } = asked;
    if (
      !created &&
      !sameAlert(request, {
        requesterId,
        email: body.email,
        slackUserId: body.slack_user_id,
        reason: body.reason,
        systems,
      })
    ) {
      return conflict(res, request, body, requesterId, systems);
    }
    // The answer is read from the store after the request's write: never a status the store has
    // already moved past (the approval card is an outbox effect of that write).
    const current = (await deps.engine.request(request.id)) ?? request;
    const steps = await deps.engine.steps(request.id);
    sendJson(
      res,
      created ? 202 : 200,
      { ...publicRequest(current, steps), replayed: !created },
      {
        location: `${REQUESTS_PATH}/${request.id}`,
      },
    );
  }

  async function status(
    req: IncomingMessage & { params?: Record<string, string> },
    res: ServerResponse,
  ): Promise<void> {
    if (!bearerMatches(req.headers.authorization, deps.apiToken)) return unauthorized(res);
    const id = req.params?.id ?? '';
    const request = isRequestId(id) ? await deps.engine.request(id) : undefined;
    // The token is for alerting tools: it reads the requests alerts created, nothing else. Any
    // other request (slash command, workflow, CLI) answers exactly like an id that does not
    // exist, so a token holder cannot even learn that it does.
    if (!request || request.source !== 'api')
      return sendJson(res, 404, { error: 'not_found', message: 'No such request.' });
    sendJson(res, 200, publicRequest(request, await deps.engine.steps(id)));
  }

  const guard =
    (fn: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse) => {
      fn(req, res).catch((error: unknown) => {
        deps.logger.error('alert endpoint failed:', error);
        if (!res.headersSent)
          sendJson(res, 500, {
            error: 'internal_error',
            message: 'Something failed on our side; retrying with the same idempotency_key is safe.',
          });
      });
    };

  return { create: guard(create), status: guard(status) };
}
