/** Entra ID through the real app: the Slack form, the approval card, the engine and the thread. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENTRA_REVOKED_DETAIL } from '../../src/providers/entra/index.js';
import { FakeEntra } from '../fakes/entra.js';
import { buttonClick } from '../helpers/actions.js';
import {
  blockText,
  cardStatus,
  findBlock,
  inputElement,
  isApprovalCard,
  replyText,
} from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

describe('Microsoft Entra ID in a /revoke-sessions request', () => {
  let h: Harness;
  let entra: FakeEntra;

  beforeEach(async () => {
    entra = new FakeEntra();
    await entra.start();
    entra.users.push(
      {
        id: 'e-alice',
        displayName: 'Alice',
        mail: 'alice@example.com',
        userPrincipalName: 'alice@contoso.onmicrosoft.com',
        accountEnabled: true,
      },
      {
        id: 'e-bob',
        displayName: 'Bob',
        mail: 'bob@example.com',
        userPrincipalName: 'bob@contoso.onmicrosoft.com',
        accountEnabled: true,
      },
    );
    h = await startHarness({
      ...entra.env(),
      REVOKE_REQUIRE_APPROVAL: 'true',
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      REVOKE_APPROVERS: 'UAPP1',
    });
    h.slack.addUser(user('UAPP1', 'app1@example.com'));
    h.slack.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
  });
  afterEach(async () => {
    await h.close();
    await entra.close();
  });

  it('is offered in the form, and its preview says its sessions cannot be listed', async () => {
    await h.command({ text: '<@UALICE|alice>' });
    const update = await h.slack.waitFor(() =>
      h.slack.callsTo('views.update').find((c) => findBlock(c.args.view, 'preview_entra')),
    );
    expect(inputElement(update.args.view, 'systems').options?.map((o) => o.value)).toContain('entra');
    expect(blockText(update.args.view, 'preview_entra')).toContain('cannot list sessions');
  });

  it(
    'revokes only after approval, only the named person, and the thread says it cannot be verified and can take minutes',
    { timeout: 30_000 },
    async () => {
      await h.interact(submission(formValues({ systems: ['entra', 'slack'] })));
      const card = await h.slack.waitFor(() => h.slack.messages.find((m) => isApprovalCard(m.blocks)));
      const [request] = await h.app.store.listRequestsForTarget('UALICE', 1);
      // Nothing is revoked while the request waits for its approver.
      expect(entra.requestsTo('revoke')).toEqual([]);
      await h.interact(
        buttonClick({
          userId: 'UAPP1',
          actionId: 'approve_request',
          value: request?.id ?? '',
          channel: 'C0APPROVE',
          messageTs: card.ts,
        }),
      );
      const final = await h.slack.waitFor(async () => {
        const r = await h.app.store.getRequest(request?.id ?? '');
        return r && ['done', 'failed', 'partially_failed'].includes(r.status) ? r : undefined;
      }, 20_000);
      await h.delivered();
      expect(cardStatus(h.slack.messages.find((m) => m.ts === card.ts)?.blocks)).toMatch(/Finished/);
      expect(final?.status).toBe('done');
      expect(entra.revoked).toEqual(['e-alice']);
      const reply = h.slack.messages
        .filter((m) => m.thread_ts === card.ts)
        .map(replyText)
        .find((t) => t.includes('*Microsoft Entra ID*'));
      expect(reply).toBeDefined();
      expect(reply).toContain('revoked');
      expect(reply).toContain(ENTRA_REVOKED_DETAIL);
    },
  );
});
