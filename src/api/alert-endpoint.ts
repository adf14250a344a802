import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { SYSTEM_IDS, type SystemId } from '../config.js';
import type { RevocationEngine } from '../engine/engine.js';
import type { RevocationRequest, RevocationStep } from '../engine/types.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { isRequestId } from '../util/ids.js';
import { conflictBody, conflictRecord, sameAlert, scopedIdempotencyKey } from './idempotency.js';

const MAX_BODY = 64 * 1024;
export const REQUESTS_PATH = '/api/revocation-requests';

/** The alert body, validated where it arrives. */
export const alertSchema = z
  .object({
    email: z.email().max(254).optional(),
    slack_user_id: z
      .string()
      .regex(/^[UW][A-Z0-9]{2,20}$/, 'a Slack user ID such as U0123ABCD')
      .optional(),
    reason: z.string().trim().min(1, 'required').max(1000),
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
  engine: RevocationEngine;
  /** Read-only here: the status URL, and the audit record of a refused key reuse. */
  store: Store;
  systems: SystemId[];
  logger: Logger;
  /** Clock for audit records written here (default: the system clock). */
  now?: (() => Date) | undefined;
  /** Posts the approval card for a new pending request (the Slack edge does that). */
  onPendingApproval: (request: RevocationRequest) => Promise<void>;
}

function sendJson(
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

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
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
 * key for a different alert is a 409, never a replay); `GET …/{id}` reports status.
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
    await deps.store.appendAudit(
      conflictRecord(existing, {
        requesterId,
        idempotencyKey: body.idempotency_key,
        email: body.email,
        slackUserId: body.slack_user_id,
        reason: body.reason,
        systems,
      }),
      (deps.now?.() ?? new Date()).toISOString(),
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
    const raw = await readBody(req);
    if (raw === undefined)
      return sendJson(res, 413, { error: 'payload_too_large', message: `At most ${MAX_BODY} bytes.` });
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return sendJson(res, 400, { error: 'invalid_json', message: 'The body is not valid JSON.' });
    }
    const parsed = alertSchema.safeParse(json);
    if (!parsed.success) {
      return sendJson(res, 400, { error: 'invalid_request', fields: fieldErrors(parsed.error) });
    }
    const body = parsed.data;
    const systems = body.systems ?? deps.systems;
    const missing = systems.filter((s) => !deps.systems.includes(s));
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
    if (created) {
      await deps
        .onPendingApproval(request)
        .catch((e: unknown) => deps.logger.error('could not post the approval card:', e));
    }
    const steps = await deps.store.listSteps(request.id);
    sendJson(
      res,
      created ? 202 : 200,
      { ...publicRequest(request, steps), replayed: !created },
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
    const request = isRequestId(id) ? await deps.store.getRequest(id) : undefined;
    if (!request) return sendJson(res, 404, { error: 'not_found', message: 'No such request.' });
    sendJson(res, 200, publicRequest(request, await deps.store.listSteps(id)));
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
