/** The short-lived function token Slack sends with a function_executed event (a secret). */
export const FUNCTION_TOKEN = 'xwfp-1111-2222-functiontokenfunctiontoken';

/** A function_executed event for the revoke_user_sessions step, as Slack sends it (JSON body). */
export function functionExecuted(inputs: Record<string, unknown>, executionId = 'Fx0123ABC') {
  return JSON.stringify({
    token: 'legacy',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: `Ev-${executionId}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    event: {
      type: 'function_executed',
      function: {
        id: 'Fn1',
        callback_id: 'revoke_user_sessions',
        title: 'Revoke user sessions',
        type: 'app',
        app_id: 'A1',
      },
      inputs,
      function_execution_id: executionId,
      workflow_execution_id: 'Wx1',
      event_ts: String(Date.now() / 1000),
      bot_access_token: FUNCTION_TOKEN,
    },
  });
}
