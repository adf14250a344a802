import { describe, expect, it } from 'vitest';
import type { StepResult, StepState } from '../../../src/engine/types.js';
import { stepReply, stepSentence, systemSummaryReply } from '../../../src/slack/blocks/step-replies.js';
import { blocksOf, sectionTexts } from '../../helpers/blocks.js';
import {
  HOSTILE,
  HOSTILE_EMAIL,
  HOSTILE_EMAIL_ESCAPED,
  HOSTILE_ESCAPED,
  makeRequest,
  makeStep,
} from './fixtures.js';

const request = makeRequest({ status: 'running' });
const sentence = (state: StepState, result?: StepResult, label = 'Slack', r = request) =>
  stepSentence(r, makeStep('slack', state, result), label);

describe('stepSentence — one sentence per step state', () => {
  it('revoked: counts and verifies', () => {
    expect(sentence('revoked', { revokedCount: 3, remaining: 0 })).toBe(
      ':white_check_mark: *Slack* — sessions revoked. 3 sessions ended. Verified: no sessions left.',
    );
    expect(sentence('revoked', { revokedCount: 1 })).toBe(
      ':white_check_mark: *Slack* — sessions revoked. 1 session ended.',
    );
  });

  it('revoked with a scope: names the sessions outside it that remain', () => {
    expect(sentence('revoked', { remaining: 2, remainingInScope: false })).toBe(
      ':white_check_mark: *Slack* — sessions revoked. 2 sessions outside the chosen scope remain.',
    );
  });

  it('revoked for chosen sessions: says "selected" and lists the refused ids, escaped', () => {
    const chosen = makeRequest({ status: 'running', selection: { slack: ['S1', 'S2'] } });
    expect(sentence('revoked', { revokedCount: 1, refusedSessions: ['S2<!here>'] }, 'Slack', chosen)).toBe(
      ':white_check_mark: *Slack* — selected sessions revoked. 1 session ended. :no_entry: 1 chosen session not listed for this person, so not revoked: `S2&lt;!here&gt;`.',
    );
  });

  it('partial: warns that sessions remain and points to the admin console', () => {
    expect(sentence('partial', { remaining: 1, remainingInScope: true })).toBe(
      ":warning: *Slack* — revoke accepted, but sessions remain. :warning: 1 session still listed afterwards. Check it in Slack's admin console.",
    );
  });

  it('partial because chosen ids were refused: the person’s chosen sessions were revoked', () => {
    expect(sentence('partial', { revokedCount: 2, remaining: 0, refusedSessions: ['X1', 'X2'] })).toBe(
      ':warning: *Slack* — the chosen sessions of this person were revoked. 2 sessions ended. Verified: no sessions left. :no_entry: 2 chosen sessions not listed for this person, so not revoked: `X1`, `X2`.',
    );
  });

  it('lists at most 10 refused ids', () => {
    const ids = Array.from({ length: 14 }, (_, i) => `R${i}`);
    const text = sentence('not_allowed', { refusedSessions: ids });
    expect(text).toContain('14 chosen sessions not listed');
    expect(text).toContain('`R9`.');
    expect(text).not.toContain('`R10`');
  });

  it('queued: never says done', () => {
    expect(sentence('queued', { detail: 'job 42' }, 'Huawei Cloud')).toBe(
      ':hourglass_flowing_sand: *Huawei Cloud* — queued: Huawei Cloud ends the sessions in a background job, so this is not confirmed done (job 42).',
    );
  });

  it('no_account, ambiguous and not_allowed: nothing revoked, said plainly', () => {
    expect(sentence('no_account')).toBe(
      ':heavy_minus_sign: *Slack* — no account for this person; nothing to revoke.',
    );
    expect(sentence('ambiguous', { detail: '2 accounts' })).toBe(
      ':warning: *Slack* — several accounts match this person; nothing was revoked there (2 accounts). Revoke by hand after checking who is who.',
    );
    expect(sentence('not_allowed', { detail: 'protected admin', refusedSessions: ['S7'] })).toBe(
      ':no_entry: *Slack* — not revoked (protected admin). :no_entry: 1 chosen session not listed for this person, so not revoked: `S7`.',
    );
  });

  it('failed: the error with its vendor code and request id', () => {
    expect(
      sentence('failed', {
        error: {
          code: 'vendor',
          message: 'not on Enterprise Grid',
          vendorCode: 'feature_not_enabled',
          requestId: 'r-1',
        },
      }),
    ).toBe(':x: *Slack* — failed: not on Enterprise Grid _(code feature_not_enabled, request id r-1)_');
    expect(sentence('failed')).toBe(':x: *Slack* — failed: unknown error');
  });

  it('pending and running: the state itself', () => {
    expect(sentence('pending')).toBe(':hourglass_flowing_sand: *Slack* — pending');
    expect(sentence('running')).toBe(':hourglass_flowing_sand: *Slack* — running');
  });

  it('escapes the detail, the error, the vendor code, the request id and the label', () => {
    expect(sentence('revoked', { detail: HOSTILE })).toBe(
      `:white_check_mark: *Slack* — sessions revoked (${HOSTILE_ESCAPED}).`,
    );
    expect(
      sentence('failed', {
        error: { code: 'x', message: HOSTILE, vendorCode: '<!channel>', requestId: '&' },
      }),
    ).toBe(`:x: *Slack* — failed: ${HOSTILE_ESCAPED} _(code &lt;!channel&gt;, request id &amp;)_`);
    expect(sentence('no_account', undefined, '<b>')).toBe(
      ':heavy_minus_sign: *&lt;b&gt;* — no account for this person; nothing to revoke.',
    );
  });
});

describe('stepReply — the threaded reply for one system', () => {
  const step = makeStep('box', 'revoked', { revokedCount: 2 });
  const reply = stepReply(request, step, 'Box');

  it('matches the snapshot', () => {
    expect(reply).toMatchSnapshot();
  });

  it('is one section holding the step sentence, with the state as fallback text', () => {
    expect(blocksOf(reply)).toHaveLength(1);
    expect(sectionTexts(reply)).toEqual([stepSentence(request, step, 'Box')]);
    expect(reply.text).toBe('Box: revoked');
  });

  it('keeps the section within Slack’s 3,000 characters', () => {
    const long = stepReply(
      request,
      makeStep('box', 'failed', { error: { code: 'x', message: 'e'.repeat(5000) } }),
      'Box'.repeat(2000),
    );
    expect(sectionTexts(long)[0]?.length).toBeLessThanOrEqual(3000);
  });
});

describe('systemSummaryReply — one reply per system of a bulk request', () => {
  const bulk = makeRequest({
    status: 'running',
    additionalTargets: [{ slackUserId: 'UBOB', email: HOSTILE_EMAIL }, { email: 'carol@example.com' }],
  });
  const steps = [
    makeStep('box', 'revoked', { revokedCount: 1 }, 0),
    makeStep('box', 'failed', { error: { code: 'x', message: HOSTILE } }, 1),
    makeStep('box', 'queued', undefined, 2),
    makeStep('slack', 'failed', undefined, 0),
  ];
  const reply = systemSummaryReply(bulk, 'box', steps, 'Box');

  it('matches the snapshot', () => {
    expect(reply).toMatchSnapshot();
  });

  it('counts this system’s steps and lists the people needing attention or still queued, escaped', () => {
    expect(sectionTexts(reply)).toEqual([
      [
        '*Box* — 1 revoked, 1 queued, 1 failed for 3 people',
        `• <@UBOB> (${HOSTILE_EMAIL_ESCAPED}): :x: *Box* — failed: ${HOSTILE_ESCAPED}`,
        '• carol@example.com: :hourglass_flowing_sand: *Box* — queued: Box ends the sessions in a background job, so this is not confirmed done.',
      ].join('\n'),
    ]);
    expect(reply.text).toBe('Box: 1 revoked, 1 queued, 1 failed');
  });

  it('lists at most 20 people and counts the rest', () => {
    const many = makeRequest({
      additionalTargets: Array.from({ length: 24 }, (_, i) => ({ email: `p${i}@example.com` })),
    });
    const failed = Array.from({ length: 25 }, (_, i) => makeStep('box', 'failed', undefined, i));
    const lines = (sectionTexts(systemSummaryReply(many, 'box', failed, 'Box'))[0] ?? '').split('\n');
    expect(lines).toHaveLength(1 + 20 + 1);
    expect(lines.at(-1)).toBe('• …and 5 more');
  });
});
