import { describe, expect, it } from 'vitest';
import { watchAlert } from '../../../src/slack/blocks/follow-up.js';
import { requestModal } from '../../../src/slack/blocks/request-modal.js';
import { parentMessage } from '../../../src/slack/blocks/results.js';
import { parseRevokeAgain } from '../../../src/slack/listeners/actions/revoke-again.js';
import { blockText, findBlock, findButton } from '../../helpers/blocks.js';
import { HOSTILE, HOSTILE_ESCAPED, labels, makeRequest, makeStep } from './fixtures.js';

const repeatOf = { requestId: 'r-mk2x9q4f-7h3kq8zp', at: '2026-05-01T10:00:00.000Z' };

describe('the 24 h repeat warning', () => {
  it('is on the approval card, linking the earlier request, saying this one is deliberate', () => {
    const card = parentMessage(
      makeRequest({ status: 'pending_approval', plan: { repeatOf } }),
      [makeStep('slack', 'pending')],
      labels,
      { buttons: true },
    );
    const text = blockText(card, 'repeat');
    expect(text).toContain('`r-mk2x9q4f-7h3kq8zp`');
    expect(text).toContain('<!date^1777629600^');
    expect(text).toContain('deliberate');
  });

  it('is absent without an earlier revocation', () => {
    const card = parentMessage(makeRequest({ status: 'pending_approval' }), [], labels, { buttons: true });
    expect(findBlock(card, 'repeat')).toBeUndefined();
  });

  it('is on the form once the preview is in', () => {
    const view = requestModal({
      systems: [],
      metadata: {},
      preview: { kind: 'ready', who: 'Alice', previews: [], repeatOf },
    });
    expect(blockText(view, 'repeat')).toContain('Revoked again within 24 h');
  });
});

describe('the watch alert', () => {
  it('escapes what the vendor says of the session and carries only the request and the look', () => {
    const request = makeRequest({ id: 'r-mk2x9q4f-7h3kq8zp', status: 'done' });
    const step = makeStep('slack', 'revoked', {
      acceptedAt: '2026-05-01T10:00:00.000Z',
      watch: [
        {
          round: 1,
          at: '2026-05-01T10:03:00.000Z',
          found: [{ id: 's9', ip: HOSTILE, device: HOSTILE, createdAt: '2026-05-01T10:03:00.000Z' }],
        },
      ],
    });
    const alert = watchAlert(request, [step], 1, (s) => labels(s.system));
    const text = blockText(alert, 'watch_found');
    expect(text).toContain(
      `new Slack session from ${HOSTILE_ESCAPED} (${HOSTILE_ESCAPED}), 3 min after revocation`,
    );
    expect(findButton(alert, 'revoke_again')?.value).toBe('r-mk2x9q4f-7h3kq8zp:1');
  });

  it('parses only a request id and a look from the button', () => {
    expect(parseRevokeAgain('r-mk2x9q4f-7h3kq8zp:1')).toEqual({ requestId: 'r-mk2x9q4f-7h3kq8zp', round: 1 });
    for (const bad of [
      undefined,
      '',
      'r-mk2x9q4f-7h3kq8zp',
      'x:1',
      'r-mk2x9q4f-7h3kq8zp:-1',
      `${'r'.repeat(60)}:1`,
    ])
      expect(parseRevokeAgain(bad)).toBeUndefined();
  });
});
