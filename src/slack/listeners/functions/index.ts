import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../context.js';
import { revokeUserSessionsStep, STEP_CALLBACK_ID } from './revoke-user-sessions.js';

/** Registers the Workflow Builder custom steps. */
export function register(app: App, deps: SlackDeps): void {
  // Acknowledged by the step itself, once it is journaled (never before: see revokeUserSessionsStep).
  app.function(STEP_CALLBACK_ID, { autoAcknowledge: false }, revokeUserSessionsStep(deps));
}
