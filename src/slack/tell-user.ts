import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log.js';

/**
 * Tells one user something privately: an ephemeral message in the channel
 * they used when possible, otherwise a DM from the app. Never throws.
 */
export async function tellUser(
  client: WebClient,
  logger: Logger,
  userId: string,
  channelId: string | undefined,
  text: string,
): Promise<void> {
  if (channelId) {
    try {
      await client.chat.postEphemeral({ channel: channelId, user: userId, text });
      return;
    } catch {
      // not in that channel (or it is gone): fall back to a DM
    }
  }
  try {
    await client.chat.postMessage({ channel: userId, text });
  } catch (error) {
    logger.warn(`could not tell ${userId}:`, error);
  }
}
