import { describe, expect, it } from 'vitest';
import { sameAlert, scopedIdempotencyKey } from '../../src/api/idempotency.js';
import type { RevocationRequest } from '../../src/engine/types.js';

const stored: RevocationRequest = {
  id: 'r-aaaaaaaa-aaaaaaaa',
  status: 'pending_approval',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  source: 'api',
  requester: { kind: 'api', id: 'edr' },
  target: { email: 'carol@example.com', slackUserId: 'UCAROL' },
  systems: ['slack', 'box'],
  slackScope: 'all',
  reason: 'EDR: beacon',
};
const ask = {
  requesterId: 'edr',
  email: 'carol@example.com',
  reason: 'EDR: beacon',
  systems: ['box', 'slack'] as const,
};

describe('alert idempotency', () => {
  it('keeps every (source, key) pair apart', () => {
    expect(scopedIdempotencyKey('a:b', 'c')).not.toBe(scopedIdempotencyKey('a', 'b:c'));
    expect(scopedIdempotencyKey('edr', 'k')).not.toBe(scopedIdempotencyKey('siem', 'k'));
    expect(scopedIdempotencyKey('edr', 'k')).toBe(scopedIdempotencyKey('edr', 'k'));
  });

  it('is the same alert only with the same caller, person, reason and systems', () => {
    expect(sameAlert(stored, ask)).toBe(true);
    expect(sameAlert(stored, { ...ask, email: 'CAROL@example.com' })).toBe(true);
    expect(sameAlert(stored, { ...ask, email: undefined, slackUserId: 'UCAROL' })).toBe(true);
    expect(sameAlert(stored, { ...ask, systems: ['slack'] })).toBe(false);
    expect(sameAlert(stored, { ...ask, systems: ['slack', 'box', 'huawei'] })).toBe(false);
    expect(sameAlert(stored, { ...ask, reason: 'EDR: beacon!' })).toBe(false);
    expect(sameAlert(stored, { ...ask, email: 'bob@example.com' })).toBe(false);
    expect(sameAlert(stored, { ...ask, email: 'ｃarol@example.com' })).toBe(false);
    expect(sameAlert(stored, { ...ask, email: undefined, slackUserId: 'UBOB' })).toBe(false);
    expect(sameAlert(stored, { ...ask, requesterId: 'siem' })).toBe(false);
    expect(sameAlert({ ...stored, source: 'slash_command' }, ask)).toBe(false);
  });
});
