import { parseRetryAfter } from './retry.js';

/** What a vendor's error body says, pulled out by the system's own parser. */
export interface VendorErrorInfo {
  vendorCode?: string | undefined;
  message?: string | undefined;
  requestId?: string | undefined;
}

/** How a failed call ended, as the shared HTTP layer classified it; the wording turns it into a sentence. */
export interface FailureFacts {
  kind:
    | 'auth'
    | 'rate_limited'
    | 'server'
    | 'rejected'
    | 'no_answer'
    | 'unreachable'
    | 'malformed'
    | 'unexpected';
  /** The operation's short name, e.g. "terminate_sessions". */
  operation: string;
  status?: number | undefined;
  /** `: <vendor message>` (already scrubbed and cut), or ''. */
  detail: string;
  /** ` after N attempts` when the retry budget ran out, or ''. */
  after: string;
  /** For `no_answer` / `unreachable`: `timeout` or `network`, with the network code when known. */
  transport?: { kind: 'timeout' | 'network'; code?: string | undefined } | undefined;
  /** The call may have taken effect (not idempotent, no clear answer). */
  outcomeUnknown: boolean;
}

/** The sentence (and what to do) a user reads for one failure. */
export interface ErrorWording {
  describe(facts: FailureFacts): { message: string; hint?: string | undefined };
}

/** What sets one vendor's HTTP API apart: error bodies, rate-limit headers, request ids, wording. */
export interface VendorQuirks {
  /** The system's name in sentences. */
  label: string;
  /** Reads the vendor's error body (and headers) into code, message and request id. */
  parseError(status: number, body: unknown, headers: Record<string, string>): VendorErrorInfo;
  /** How long a 429 asks to wait (ms), from the vendor's headers (lower-cased names); undefined: not said. */
  rateLimitWaitMs(headers: Record<string, string>): number | undefined;
  /** The response header that carries the vendor's request id. */
  requestIdHeader?: string | undefined;
  wording: ErrorWording;
}

/** The standard `Retry-After` header (seconds or an HTTP date). */
export function retryAfterWaitMs(headers: Record<string, string>): number | undefined {
  return parseRetryAfter(headers['retry-after']);
}
