import type { App } from '@slack/bolt';
import { IDS } from '../../blocks/ids.js';
import type { SlackDeps } from '../../context.js';
import { revokeSessionsCommand } from './revoke-sessions.js';

/** Registers the slash command listeners. */
export function register(app: App, deps: SlackDeps): void {
  app.command(IDS.command, revokeSessionsCommand(deps));
}
