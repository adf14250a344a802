import { describe, expect, it } from 'vitest';
import { describeStep } from '../../src/engine/outcome.js';
import type { RevocationRequest, RevocationStep } from '../../src/engine/types.js';

const request = { selection: undefined } as RevocationRequest;
const step = (over: Partial<RevocationStep>): RevocationStep => ({
  requestId: 'r-1',
  key: 'mattermost',
  system: 'mattermost',
  targetIndex: 0,
  state: 'revoked',
  attempts: 1,
  ...over,
});
const sentence = (s: RevocationStep) =>
  describeStep(request, s, 'Mattermost')
    .phrases.map((p) => p.text)
    .join('');

/** The one vocabulary for step outcomes: what each state says, never more than was recorded. */
describe('describeStep', () => {
  it('says what was verified, and never calls a queued job done', () => {
    expect(sentence(step({ result: { revokedCount: 2, remaining: 0 } }))).toBe(
      'sessions revoked. 2 sessions ended. Verified: no sessions left.',
    );
    expect(sentence(step({ state: 'queued', result: {} }))).toMatch(/^queued: .* not confirmed done\.$/);
    expect(sentence(step({ state: 'partial', result: { remaining: 1, remainingInScope: true } }))).toMatch(
      /1 session still listed afterwards/,
    );
  });

  it('names refused chosen sessions, as code', () => {
    const text = describeStep(
      request,
      step({ state: 'not_allowed', result: { refusedSessions: ['x-1'] } }),
      'Mattermost',
    );
    expect(text.word).toBe('REFUSED');
    expect(text.phrases.find((p) => p.style === 'code')?.text).toBe('x-1');
  });

  it('carries the vendor’s hint with a failure, and its code and request id', () => {
    const text = describeStep(
      request,
      step({
        state: 'failed',
        result: {
          error: { code: 'vendor_auth', message: 'no', vendorCode: 'E1', requestId: 'q-9', hint: 'Fix it.' },
        },
      }),
      'Mattermost',
    );
    expect(text.phrases.find((p) => p.style === 'hint')?.text).toBe('Fix it.');
    expect(text.phrases.find((p) => p.style === 'note')?.text).toBe('(code E1, request id q-9)');
  });
});
