import { describe, expect, it } from 'vitest';
import { attentionOf } from '../../src/engine/home.js';
import type { RevocationRequest, RevocationStep, StepResult, StepState } from '../../src/engine/types.js';

const request = (status: RevocationRequest['status']) => ({ id: 'r-1', status }) as RevocationRequest;
const step = (state: StepState, result?: StepResult): RevocationStep => ({
  requestId: 'r-1',
  key: 'slack',
  system: 'slack',
  targetIndex: 0,
  state,
  attempts: 1,
  result,
});

describe('what puts a request under "Needs attention" on the App Home', () => {
  it('nothing for a clean, confirmed run', () => {
    expect(attentionOf(request('done'), [step('revoked', { confirmation: undefined })])).toEqual([]);
    expect(attentionOf(request('done'), [step('revoked', { confirmation: 'awaiting' })])).toEqual([]);
  });

  it('a failed request or step, an ambiguous outcome, a missing confirmation, a returned session', () => {
    expect(attentionOf(request('partially_failed'), [step('revoked')])).toEqual(['failed']);
    expect(attentionOf(request('done'), [step('ambiguous')])).toEqual(['outcome unknown']);
    expect(attentionOf(request('done'), [step('revoked', { confirmation: 'not_confirmed' })])).toEqual([
      'not confirmed',
    ]);
    const back = { watch: [{ round: 1, at: 'x', found: [{ id: 's9' }] }] } as unknown as StepResult;
    expect(attentionOf(request('done'), [step('revoked', back)])).toEqual(['a session returned']);
    const none = { watch: [{ round: 1, at: 'x', found: [] }] } as unknown as StepResult;
    expect(attentionOf(request('done'), [step('revoked', none)])).toEqual([]);
  });
});
