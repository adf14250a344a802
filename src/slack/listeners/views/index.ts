import type { App } from '@slack/bolt';
import { IDS } from '../../blocks/ids.js';
import type { SlackDeps } from '../../context.js';
import { breakGlassSubmission } from './break-glass-submission.js';
import { revokeRequestSubmission } from './revoke-request-submission.js';

/** Registers the modal listeners. */
export function register(app: App, deps: SlackDeps): void {
  app.view(IDS.requestView, revokeRequestSubmission(deps));
  app.view(IDS.breakGlassView, breakGlassSubmission(deps));
}
