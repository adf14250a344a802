import type { ErrorWording, FailureFacts } from './quirks.js';

const CHECK_LISTING = 'List the sessions to see whether they ended, then try again.';

/**
 * The sentences every HTTP system uses unless its descriptor brings its own: they name the
 * system, the operation, the status and the vendor's message, and say what to do next.
 */
export function standardWording(label: string): ErrorWording {
  return {
    describe(f: FailureFacts) {
      const op = f.operation;
      const http = `HTTP ${f.status ?? '?'}`;
      switch (f.kind) {
        case 'auth':
          return {
            message: `${label} rejected our credentials for ${op} (${http})${f.detail}`,
            hint: `Check the ${label} credentials and their permissions.`,
          };
        case 'rate_limited':
          return {
            message: `${label} kept rate-limiting ${op}${f.after}${f.detail}`,
            hint: 'Wait a minute and try again.',
          };
        case 'server':
          return {
            message: `${label} had a server error on ${op} (${http})${f.after}${f.detail}`,
            hint: f.outcomeUnknown ? CHECK_LISTING : 'Try again in a moment.',
          };
        case 'rejected':
          return { message: `${label} refused ${op} (${http})${f.detail}` };
        case 'no_answer':
          return {
            message: `${label} did not answer ${op} (${f.transport?.kind ?? 'timeout'}); it may or may not have taken effect, so it was not repeated blindly.`,
            hint: CHECK_LISTING,
          };
        case 'unreachable': {
          const t = f.transport;
          return {
            message: `Could not reach ${label} for ${op} (${t?.kind ?? 'network'}${t?.code ? ` ${t.code}` : ''})${f.after}.`,
            hint: 'Check the URL and connectivity.',
          };
        }
        case 'malformed':
          return {
            message: `${label} answered ${op} in an unexpected shape (${http}).`,
            hint: 'The vendor API may have changed, or a proxy answered instead of it.',
          };
        default:
          return { message: `${label} ${op} failed unexpectedly.` };
      }
    },
  };
}
