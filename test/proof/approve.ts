import type { RevocationRequest } from '../../src/engine/types.js';
import { buttonClick } from '../helpers/actions.js';
import type { Harness } from '../helpers/harness.js';

/** UAPP1 approves the request on its card in C0APPROVE; resolves once the run finished `done`. */
export async function approveAndFinish(h: Harness, id: string, cardTs: string): Promise<RevocationRequest> {
  await h.interact(
    buttonClick({
      userId: 'UAPP1',
      actionId: 'approve_request',
      value: id,
      channel: 'C0APPROVE',
      messageTs: cardTs,
    }),
  );
  return h.slack.waitFor(async () => {
    const r = await h.app.store.getRequest(id);
    return r?.status === 'done' ? r : undefined;
  }, 20_000);
}
