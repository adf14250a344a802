import { describe, expect, it } from 'vitest';
import { helpText } from '../../../src/slack/blocks/help.js';
import { historyText, statusText } from '../../../src/slack/blocks/history.js';
import { DECIDED, HOSTILE, HOSTILE_ESCAPED, labels, makeRequest, makeStep } from './fixtures.js';

const CREATED_DATE = '<!date^1772366400^{date_short} {time}|2026-03-01T12:00:00.000Z>';

describe('historyText', () => {
  it('says when nothing was recorded', () => {
    expect(historyText('UALICE', [])).toBe('No revocations recorded for <@UALICE>.');
  });

  it('lists each request with date, id, status, summary, requester and reason', () => {
    const text = historyText('UALICE', [
      makeRequest({ status: 'done', summary: '2 revoked' }),
      makeRequest({
        id: 'req_2',
        status: 'partially_failed',
        requester: { kind: 'cli', id: 'root', name: 'ops' },
      }),
    ]);
    expect(text).toMatchSnapshot();
    expect(text.split('\n')).toEqual([
      'Recent revocations for <@UALICE>:',
      `• ${CREATED_DATE} \`req_01HXTEST\` — *done* (2 revoked) — by <@UREQ> — INC-1234: phished credentials`,
      `• ${CREATED_DATE} \`req_2\` — *partially failed* — by ops — INC-1234: phished credentials`,
    ]);
  });

  it('escapes the reason, the summary and a non-Slack requester, and cuts the reason to one line', () => {
    const [, line] = historyText('UALICE', [
      makeRequest({
        reason: `${HOSTILE}\n${'x'.repeat(200)}`,
        summary: HOSTILE,
        requester: { kind: 'api', id: 'edr', name: HOSTILE },
      }),
    ]).split('\n');
    expect(line).toContain(`(${HOSTILE_ESCAPED}) — by ${HOSTILE_ESCAPED} — ${HOSTILE_ESCAPED} xxx`);
    expect(line?.endsWith('…')).toBe(true);
  });

  it('never mentions an id that is not a Slack user id', () => {
    expect(historyText('<!channel>', [])).toBe('No revocations recorded for &lt;!channel&gt;.');
  });
});

describe('statusText', () => {
  it('shows the request, who decided, the reason and one line per system', () => {
    const request = makeRequest({
      status: 'partially_failed',
      decidedBy: 'slack:UAPP1',
      decidedAt: DECIDED,
      breakGlass: true,
      reason: HOSTILE,
    });
    const text = statusText(
      request,
      [
        makeStep('slack', 'revoked', { revokedCount: 1 }),
        makeStep('box', 'failed', { error: { code: 'x', message: 'down' } }),
      ],
      labels,
    );
    expect(text).toMatchSnapshot();
    expect(text.split('\n')).toEqual([
      '`req_01HXTEST` — sessions of <@UALICE> (alice@example.com) — *partially failed*',
      `Requested by <@UREQ> ${CREATED_DATE} · decided by slack:UAPP1 · :rotating_light: break-glass`,
      `Reason: ${HOSTILE_ESCAPED}`,
      '• :white_check_mark: *Slack* — sessions revoked. 1 session ended.',
      '• :x: *Box* — failed: down',
    ]);
  });
});

describe('helpText', () => {
  it('lists the commands and the configured systems', () => {
    const text = helpText([
      { id: 'slack', label: 'Slack' },
      { id: 'box', label: 'Box' },
    ]);
    expect(text).toMatchSnapshot();
    expect(text.split('\n').at(-1)).toBe('Systems on this server: Slack, Box.');
    expect(text).toContain('• `/revoke-sessions status <request-id>` — one request, system by system');
  });

  it('says when no system is configured', () => {
    expect(helpText([]).split('\n').at(-1)).toBe('Systems on this server: none configured.');
  });
});
