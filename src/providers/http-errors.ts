import type { SystemId } from '../catalog.js';
import { ErrorCode, RevokeError } from '../errors.js';
import type { Redactor } from '../log.js';
import type { FailureFacts, VendorQuirks } from './quirks.js';
import { RetryBudgetExceeded } from './retry.js';

/** One failed HTTP attempt: a status the call does not accept, a network error or a timeout. */
export class HttpFailure extends Error {
  constructor(
    readonly kind: 'status' | 'network' | 'timeout',
    readonly status: number | undefined,
    readonly body: unknown,
    readonly headers: Record<string, string>,
    readonly networkCode?: string,
  ) {
    super(kind === 'status' ? `HTTP ${status}` : `${kind} ${networkCode ?? ''}`.trim());
  }
}

/** Network errors that mean the request never reached the server: always safe to retry. */
export const NOT_SENT: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** What {@link toRevokeError} needs to know about the call that failed. */
export interface FailedCall {
  system: SystemId;
  operation: string;
  idempotent: boolean;
  quirks: VendorQuirks;
  redactor: Redactor;
}

/**
 * Turns the last failure of a call (after retries) into one coded {@link RevokeError}: the code
 * and retry hint follow from the status and idempotency; the sentence comes from the vendor's wording.
 */
export function toRevokeError(error: unknown, call: FailedCall): RevokeError {
  if (error instanceof RevokeError) return error;
  const exhausted = error instanceof RetryBudgetExceeded;
  const last = exhausted ? error.lastError : error;
  const { system, quirks, redactor } = call;
  const describe = (facts: FailureFacts) => quirks.wording.describe(facts);
  const base = {
    operation: call.operation,
    detail: '',
    after: exhausted ? ` after ${error.attempts} attempts` : '',
  };
  if (!(last instanceof HttpFailure)) {
    if (last instanceof RevokeError) return last;
    const { message } = describe({ ...base, kind: 'unexpected', outcomeUnknown: false });
    return new RevokeError(message, { code: ErrorCode.Unknown, system, cause: last });
  }
  if (last.kind !== 'status') {
    const unknown = !call.idempotent && !NOT_SENT.has(last.networkCode ?? '');
    const { message, hint } = describe({
      ...base,
      kind: unknown ? 'no_answer' : 'unreachable',
      transport: { kind: last.kind, code: last.networkCode },
      outcomeUnknown: unknown,
    });
    return new RevokeError(message, {
      code: unknown ? ErrorCode.OutcomeUnknown : ErrorCode.VendorUnavailable,
      system,
      retryable: true,
      hint,
    });
  }
  const status = last.status ?? 0;
  const info = quirks.parseError(status, last.body, last.headers);
  const header = quirks.requestIdHeader?.toLowerCase();
  const requestId = info.requestId ?? (header ? last.headers[header] : undefined);
  const vendorMessage = info.message ? redactor.redact(info.message).slice(0, 300) : undefined;
  let code = ErrorCode.VendorRejected;
  let kind: FailureFacts['kind'] = 'rejected';
  let unknown = false;
  if (status === 401 || status === 403) {
    code = ErrorCode.VendorAuth;
    kind = 'auth';
  } else if (status === 429) {
    code = ErrorCode.RateLimited;
    kind = 'rate_limited';
  } else if (status >= 500) {
    unknown = !call.idempotent && status !== 503;
    code = unknown ? ErrorCode.OutcomeUnknown : ErrorCode.VendorUnavailable;
    kind = 'server';
  }
  const { message, hint } = describe({
    ...base,
    kind,
    status,
    detail: vendorMessage ? `: ${vendorMessage}` : '',
    outcomeUnknown: unknown,
  });
  return new RevokeError(redactor.redact(message), {
    code,
    system,
    status,
    vendorCode: info.vendorCode,
    requestId,
    retryable: code !== ErrorCode.VendorRejected && code !== ErrorCode.VendorAuth,
    hint,
  });
}
