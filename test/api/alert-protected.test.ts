import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, user } from '../helpers/harness.js';
import { API_TOKENS } from '../helpers/known-secrets.js';

interface Section {
  type: string;
  block_id?: string;
  text?: { text?: string };
}

/** An alert about a protected person: the approver must see that the person is protected. */
describe('alert API: the approval card says when the person is protected', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      REVOKE_API_TOKEN: API_TOKENS.alert,
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      REVOKE_APPROVERS: 'UAPP1',
      REVOKE_PROTECTED_USERS: 'UALICE',
    });
    h.slack.addUser(user('UAPP1', 'app1@example.com'));
    h.slack.addUser(user('UCAROL', 'carol@example.com'));
  });
  afterAll(() => h.close());

  const alert = async (email: string, key: string) => {
    const res = await fetch(`${h.url}/api/revocation-requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKENS.alert}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email, reason: 'EDR: token theft', source: 'edr', idempotency_key: key }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const request = await h.slack.waitFor(async () => {
      const r = await h.app.store.getRequest(id);
      return r?.approvalCard ? r : undefined;
    });
    const card = h.slack.messages.find((m) => m.ts === request.approvalCard?.ts && !m.thread_ts);
    return { request, blocks: (card?.blocks ?? []) as Section[] };
  };
  const lockLine = (blocks: Section[]) => blocks.find((b) => /:lock:/.test(b.text?.text ?? ''))?.text?.text;

  it('names both reasons and shows the protected banner for a protected person', async () => {
    const { request, blocks } = await alert('alice@example.com', 'edr-protected-1');
    expect(request.plan).toMatchObject({ protectedTarget: true });
    expect(request.plan?.approvalReason).toMatch(/automated sources.*; the person is protected/);
    expect(blocks.find((b) => b.block_id === 'protected')?.text?.text).toMatch(
      /this person is in REVOKE_PROTECTED_USERS/,
    );
    expect(lockLine(blocks)).toMatch(/the person is protected \(REVOKE_PROTECTED_USERS\)/);
  });

  it('shows no protected banner for anyone else', async () => {
    const { request, blocks } = await alert('carol@example.com', 'edr-plain-1');
    expect(request.plan?.protectedTarget).toBeUndefined();
    expect(blocks.find((b) => b.block_id === 'protected')).toBeUndefined();
    expect(lockLine(blocks)).toMatch(/automated sources/);
  });
});
