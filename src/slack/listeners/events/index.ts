import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../context.js';
import { appHomeOpened } from './app-home.js';

/** Registers the Events API listeners (the Workflow Builder step's `function_executed` is Bolt's). */
export function register(app: App, deps: SlackDeps): void {
  app.event('app_home_opened', appHomeOpened(deps));
}
