import type { SystemId } from './catalog.js';

/** Stable error codes; the Slack edge and the CLI turn them into sentences. */
export enum ErrorCode {
  /** The vendor refused the call (4xx / ok:false) for a reason the admin must fix. */
  VendorRejected = 'vendor_rejected',
  /** The vendor's credentials are missing, invalid or lack permission. */
  VendorAuth = 'vendor_auth',
  /** Rate limited and the retry budget ran out. */
  RateLimited = 'rate_limited',
  /** 5xx, timeout or network error after retries. */
  VendorUnavailable = 'vendor_unavailable',
  /** The call may or may not have taken effect (timeout on a non-idempotent call). */
  OutcomeUnknown = 'outcome_unknown',
  /** The vendor answered with something that does not match its documented shape. */
  MalformedResponse = 'malformed_response',
  /** The person could not be found, or not unambiguously. */
  IdentityMismatch = 'identity_mismatch',
  /** A precondition of ours (target is a bot, primary owner, …). */
  NotAllowed = 'not_allowed',
  /** Anything else; wrapped so it still carries a code. */
  Unknown = 'unknown',
}

export interface RevokeErrorDetails {
  code: ErrorCode;
  system?: SystemId | undefined;
  /** The vendor's own error code (`missing_scope`, `IIC.1001`, …). */
  vendorCode?: string | undefined;
  /** HTTP status when there was one. */
  status?: number | undefined;
  /** The vendor's request id, for support tickets. */
  requestId?: string | undefined;
  /** Whether trying again later may help. */
  retryable?: boolean | undefined;
  /** What the admin should do, in one sentence. */
  hint?: string | undefined;
  cause?: unknown;
}

/** The one error type that crosses module boundaries. Its message never contains a secret. */
export class RevokeError extends Error {
  readonly code: ErrorCode;
  readonly system: SystemId | undefined;
  readonly vendorCode: string | undefined;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  readonly hint: string | undefined;

  constructor(message: string, details: RevokeErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RevokeError';
    this.code = details.code;
    this.system = details.system;
    this.vendorCode = details.vendorCode;
    this.status = details.status;
    this.requestId = details.requestId;
    this.retryable = details.retryable ?? false;
    this.hint = details.hint;
  }

  /** A plain, secret-free record for the store and the audit log. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      system: this.system,
      vendorCode: this.vendorCode,
      status: this.status,
      requestId: this.requestId,
      retryable: this.retryable,
      hint: this.hint,
    };
  }
}

/** Wraps anything thrown into a {@link RevokeError} with code {@link ErrorCode.Unknown}. */
export function asRevokeError(error: unknown, system?: SystemId): RevokeError {
  if (error instanceof RevokeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RevokeError(message, { code: ErrorCode.Unknown, system, cause: error });
}
