import type { BlockAction, ButtonAction } from '@slack/bolt';
import { isRequestId } from '../../util/ids.js';

/** A click on a button that names a request: which request, who clicked, in which channel. */
export interface RequestButtonClick {
  requestId: string;
  userId: string;
  channelId: string | undefined;
}

/**
 * Reads a click on a button whose value is a request id. Anyone can send any value: it names a
 * request and grants nothing; a value that is no request id is undefined (the click is ignored).
 */
export function requestButtonClick(
  body: BlockAction<ButtonAction>,
  action: ButtonAction,
): RequestButtonClick | undefined {
  const requestId = action.value ?? '';
  if (!isRequestId(requestId)) return undefined;
  return { requestId, userId: body.user.id, channelId: body.channel?.id };
}
