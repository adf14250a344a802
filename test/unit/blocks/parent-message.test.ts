import { describe, expect, it } from 'vitest';
import { parentMessage } from '../../../src/slack/blocks/results.js';
import {
  actionElements,
  blocksOf,
  blockText,
  contextTexts,
  findButton,
  sectionStartingWith,
  sectionTexts,
  statusLine,
} from '../../helpers/blocks.js';
import {
  DECIDED,
  HOSTILE,
  HOSTILE_EMAIL,
  HOSTILE_EMAIL_ESCAPED,
  HOSTILE_ESCAPED,
  labels,
  makeRequest,
  makeStep,
  SESSIONS,
} from './fixtures.js';

const PREVIEW = '*Slack*: account alice@example.com — 2 active sessions\n• Mac Desktop 4.41';
const pendingSteps = [makeStep('slack', 'pending'), makeStep('box', 'pending')];

describe('parentMessage — the pending approval card', () => {
  const request = makeRequest();
  const card = parentMessage(request, pendingSteps, labels, { buttons: true, preview: PREVIEW });

  it('matches the snapshot', () => {
    expect(card).toMatchSnapshot();
  });

  it('has exactly Approve, Deny and Break glass, each carrying the request id', () => {
    const actions = blocksOf(card).filter((b) => b.type === 'actions');
    expect(actions).toHaveLength(1);
    expect(
      actionElements(card).map((e) => ({
        action: e.action_id,
        label: typeof e.text === 'string' ? e.text : e.text?.text,
        value: e.value,
      })),
    ).toEqual([
      { action: 'approve_request', label: 'Approve', value: 'req_01HXTEST' },
      { action: 'deny_request', label: 'Deny', value: 'req_01HXTEST' },
      { action: 'break_glass_request', label: 'Break glass…', value: 'req_01HXTEST' },
    ]);
    expect(findButton(card, 'approve_request')?.style).toBe('primary');
    expect(findButton(card, 'deny_request')?.style).toBe('danger');
  });

  it('asks to confirm the approval, naming how many systems are signed out', () => {
    const confirm = findButton(card, 'approve_request')?.confirm as { text: { text: string } } | undefined;
    expect(confirm?.text.text).toBe('The person is signed out of 2 system(s) at once.');
  });

  it('heads the card with the person, the requester, the reason, the preview and why it waits', () => {
    expect(sectionTexts(card)[0]).toBe(
      ':rotating_light: Request to revoke sessions for <@UALICE> (alice@example.com) — requested by <@UREQ>',
    );
    expect(sectionStartingWith(card, '*Reason*')).toBe('*Reason*\n>INC-1234: phished credentials');
    expect(sectionTexts(card)).toContain(PREVIEW);
    expect(sectionStartingWith(card, ':lock:')).toBe(
      ':lock: Needs approval (REVOKE_REQUIRE_APPROVAL is on) by someone in REVOKE_APPROVERS other than the requester — expires <!date^1772370000^{date_short_pretty} {time}|2026-03-01T13:00:00.000Z>.',
    );
    expect(statusLine(card)).toBe('*Status:* :hourglass: Waiting for approval');
    expect(contextTexts(card)).toEqual([
      'Systems: Slack, Box · Slack scope: all devices · Request `req_01HXTEST`',
    ]);
    expect(card.text).toBe('Request to revoke sessions for alice@example.com: pending approval');
  });

  it('shows no buttons unless asked (the copy posted in the requester’s channel)', () => {
    const copy = parentMessage(request, pendingSteps, labels);
    expect(blocksOf(copy).some((b) => b.type === 'actions')).toBe(false);
  });

  it('escapes every user-provided string in the field that shows it', () => {
    const hostile = makeRequest({
      target: { email: HOSTILE_EMAIL },
      requester: { kind: 'api', id: 'edr', name: HOSTILE },
      reason: `${HOSTILE}\nsecond line ${HOSTILE}`,
      plan: { approvalReason: HOSTILE },
    });
    const c = parentMessage(hostile, pendingSteps, labels, { buttons: true });
    expect(sectionTexts(c)[0]).toBe(
      `:rotating_light: Request to revoke sessions for ${HOSTILE_EMAIL_ESCAPED} — requested by ${HOSTILE_ESCAPED} (api)`,
    );
    expect(sectionStartingWith(c, '*Reason*')).toBe(
      `*Reason*\n>${HOSTILE_ESCAPED}\n>second line ${HOSTILE_ESCAPED}`,
    );
    expect(sectionStartingWith(c, ':lock:')).toContain(`Needs approval (${HOSTILE_ESCAPED}) by someone`);
  });

  it('names a workflow requester as coming through the Workflow Builder step', () => {
    const c = parentMessage(makeRequest({ source: 'workflow' }), pendingSteps, labels);
    expect(sectionTexts(c)[0]).toContain('requested by <@UREQ> via a Workflow Builder step');
  });
});

describe('parentMessage — resolved cards replace the buttons by the outcome', () => {
  const approved = makeRequest({
    status: 'running',
    decidedBy: 'slack:UAPP1',
    decidedAt: DECIDED,
  });
  const denied = makeRequest({
    status: 'denied',
    decidedBy: 'slack:UAPP2',
    decidedAt: DECIDED,
    decisionNote: `not this one ${HOSTILE}`,
  });
  const expired = makeRequest({ status: 'expired', decidedBy: 'system', decidedAt: DECIDED });
  const breakGlass = makeRequest({
    status: 'running',
    breakGlass: true,
    decidedBy: 'slack:UREQ',
    decidedAt: DECIDED,
    decisionNote: `approvers asleep ${HOSTILE}`,
  });

  const running = [
    makeStep('slack', 'revoked', { revokedCount: 2, remaining: 0 }),
    makeStep('box', 'running'),
  ];

  it.each([
    ['approved', approved],
    ['denied', denied],
    ['expired', expired],
    ['break-glass', breakGlass],
  ])('%s: matches the snapshot and has no actions block even when buttons are asked for', (_, request) => {
    const card = parentMessage(request, running, labels, { buttons: true });
    expect(card).toMatchSnapshot();
    expect(blocksOf(card).some((b) => b.type === 'actions')).toBe(false);
    expect(findButton(card, 'approve_request')).toBeUndefined();
  });

  it('approved: says who approved and when', () => {
    const card = parentMessage(approved, running, labels);
    expect(sectionStartingWith(card, ':white_check_mark: Approved')).toBe(
      ':white_check_mark: Approved by <@UAPP1> <!date^1772366700^{date_short_pretty} {time}|2026-03-01T12:05:00.000Z>.',
    );
    expect(sectionTexts(card)[0]).toContain(':rotating_light: Revoking sessions for <@UALICE>');
  });

  it('denied: says who denied, that nothing was revoked, and quotes the escaped note', () => {
    const card = parentMessage(denied, pendingSteps, labels);
    expect(sectionStartingWith(card, ':no_entry_sign: Denied')).toBe(
      `:no_entry_sign: Denied by <@UAPP2>; nothing was revoked.\n>not this one ${HOSTILE_ESCAPED}`,
    );
    expect(statusLine(card)).toBe('*Status:* :no_entry_sign: Denied');
  });

  it('expired: says nothing was revoked', () => {
    const card = parentMessage(expired, pendingSteps, labels);
    expect(sectionStartingWith(card, ':alarm_clock:')).toBe(
      ':alarm_clock: Expired without a decision; nothing was revoked.',
    );
    expect(statusLine(card)).toBe('*Status:* :alarm_clock: Expired');
  });

  it('break-glass: flags it, names the requester as approver, quotes the escaped justification', () => {
    const card = parentMessage(breakGlass, running, labels);
    expect(sectionStartingWith(card, ':rotating_light: *BREAK-GLASS*')).toBe(
      `:rotating_light: *BREAK-GLASS*: approved by the requester <@UREQ> without a second person. Justification:\n>approvers asleep ${HOSTILE_ESCAPED}`,
    );
    expect(card.text.startsWith('BREAK-GLASS: ')).toBe(true);
  });

  it('escapes a decider that is not a Slack user', () => {
    const card = parentMessage(makeRequest({ status: 'denied', decidedBy: HOSTILE }), pendingSteps, labels);
    expect(sectionStartingWith(card, ':no_entry_sign: Denied')).toBe(
      `:no_entry_sign: Denied by ${HOSTILE_ESCAPED}; nothing was revoked.`,
    );
  });
});

describe('parentMessage — progress and outcome', () => {
  it('running: counts the finished systems', () => {
    const card = parentMessage(
      makeRequest({ status: 'running' }),
      [makeStep('slack', 'revoked'), makeStep('box', 'running')],
      labels,
    );
    expect(statusLine(card)).toBe('*Status:* :hourglass_flowing_sand: In progress — 1 of 2 systems finished');
  });

  it('finished: shows the summary, escaped', () => {
    const done = parentMessage(
      makeRequest({ status: 'done', summary: '1 revoked, 1 queued' }),
      [makeStep('slack', 'revoked'), makeStep('box', 'queued')],
      labels,
    );
    expect(done).toMatchSnapshot();
    expect(statusLine(done)).toBe('*Status:* :white_check_mark: Finished — 1 revoked, 1 queued');
    expect(done.text).toBe('Revoking sessions for alice@example.com: 1 revoked, 1 queued');

    const problems = parentMessage(
      makeRequest({ status: 'partially_failed', summary: HOSTILE }),
      [makeStep('slack', 'failed'), makeStep('box', 'revoked')],
      labels,
    );
    expect(statusLine(problems)).toBe(`*Status:* :warning: Finished with problems — ${HOSTILE_ESCAPED}`);
  });

  it('names the Slack scope and "only selected sessions" in the context line', () => {
    const card = parentMessage(
      makeRequest({ slackScope: 'mobile', selection: { slack: ['S1'] } }),
      pendingSteps,
      labels,
    );
    expect(contextTexts(card)[0]).toBe(
      'Systems: Slack, Box · Slack scope: mobile only · only selected sessions · Request `req_01HXTEST`',
    );
    const noSlack = parentMessage(makeRequest({ systems: ['box'] }), [makeStep('box', 'pending')], labels);
    expect(contextTexts(noSlack)[0]).toBe('Systems: Box · Request `req_01HXTEST`');
  });
});

describe('parentMessage — bulk requests list the people', () => {
  const bulk = makeRequest({
    status: 'running',
    decidedBy: 'slack:UAPP1',
    decidedAt: DECIDED,
    additionalTargets: [{ slackUserId: 'UBOB', email: HOSTILE_EMAIL }, { email: 'carol@example.com' }],
  });
  const steps = [
    makeStep('slack', 'revoked', undefined, 0),
    makeStep('box', 'queued', undefined, 0),
    makeStep('slack', 'failed', undefined, 1),
    makeStep('box', 'running', undefined, 1),
    makeStep('slack', 'no_account', undefined, 2),
    makeStep('box', 'pending', undefined, 2),
  ];
  const card = parentMessage(bulk, steps, labels);

  it('matches the snapshot', () => {
    expect(card).toMatchSnapshot();
  });

  it('has one line per person with an escaped email and an icon per system', () => {
    expect(sectionStartingWith(card, '*People*')).toBe(
      [
        '*People*',
        '• <@UALICE> (alice@example.com) — Slack :white_check_mark:  Box :hourglass:',
        `• <@UBOB> (${HOSTILE_EMAIL_ESCAPED}) — Slack :x:  Box :hourglass_flowing_sand:`,
        '• carol@example.com — Slack :heavy_minus_sign:  Box :white_circle:',
      ].join('\n'),
    );
    expect(sectionTexts(card)[0]).toBe(
      ':rotating_light: Revoking sessions for 3 people — requested by <@UREQ>',
    );
    expect(statusLine(card)).toBe(
      '*Status:* :hourglass_flowing_sand: In progress — 4 of 6 person-system steps finished',
    );
    expect(card.text).toBe('Revoking sessions for 3 people: running');
  });

  it('lists at most 30 people and points to the status command for the rest', () => {
    const many = makeRequest({
      additionalTargets: Array.from({ length: 34 }, (_, i) => ({ email: `p${i}@example.com` })),
    });
    const people = sectionStartingWith(parentMessage(many, [], labels), '*People*').split('\n');
    expect(people).toHaveLength(1 + 30 + 1);
    expect(people.at(-1)).toBe('• …and 5 more (see `/revoke-sessions status req_01HXTEST`)');
  });
});

describe('parentMessage — chosen sessions and protected people', () => {
  it('lists the chosen sessions as recorded, escaped, and the foreign ids that are never revoked', () => {
    const hostileSession = { id: 'S9', device: HOSTILE, ip: '10.0.0.9' };
    const request = makeRequest({
      selection: { slack: ['S1', 'S9', `X<@U1>`], box: ['B1'] },
      plan: { chosenSessions: { slack: [SESSIONS[0], hostileSession].filter((s) => s !== undefined) } },
    });
    const card = parentMessage(request, pendingSteps, labels);
    expect(card).toMatchSnapshot();
    expect(blockText(card, 'chosen_sessions')).toBe(
      [
        '*Sessions chosen to end*',
        '*Slack*: 2 chosen session(s)',
        '• Mac Desktop 4.41 · macOS · IP 10.1.1.1 · last active 2026-03-01T11:00:00Z',
        `• ${HOSTILE_ESCAPED} · IP 10.0.0.9`,
        ':no_entry: 1 chosen id(s) not listed for this person — never revoked: `X&lt;@U1&gt;`',
        "*Box*: 1 chosen session(s) — could not be listed when requested; each is checked against this person's sessions before anything is ended",
      ].join('\n'),
    );
  });

  it('has no chosen-sessions block when all sessions are to end', () => {
    const card = parentMessage(makeRequest(), pendingSteps, labels);
    expect(blocksOf(card).some((b) => b.block_id === 'chosen_sessions')).toBe(false);
  });

  it('shows the protected banner for a protected person, worded for one or several people', () => {
    const one = parentMessage(makeRequest({ plan: { protectedTarget: true } }), pendingSteps, labels);
    expect(blockText(one, 'protected')).toBe(
      ':shield: *Protected:* this person is in REVOKE_PROTECTED_USERS, so an approver must approve.',
    );
    const bulk = parentMessage(
      makeRequest({ plan: { protectedTarget: true }, additionalTargets: [{ email: 'b@example.com' }] }),
      pendingSteps,
      labels,
    );
    expect(blockText(bulk, 'protected')).toBe(
      ':shield: *Protected:* one of the people is in REVOKE_PROTECTED_USERS, so an approver must approve.',
    );
    const none = parentMessage(makeRequest(), pendingSteps, labels);
    expect(blocksOf(none).some((b) => b.block_id === 'protected')).toBe(false);
  });
});
