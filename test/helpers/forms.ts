/** The person the form's picker holds (the modal's metadata names the person its preview was built for). */
function pickedUser(values: Record<string, Record<string, unknown>>): string | undefined {
  const picker = values.target?.target_user as { selected_user?: unknown } | undefined;
  return typeof picker?.selected_user === 'string' ? picker.selected_user : undefined;
}

/**
 * A view_submission payload of the request modal, as Slack sends it. By default its metadata says
 * the preview was built for the person in the picker, as the app's own modal does.
 */
export function submission(
  values: Record<string, Record<string, unknown>>,
  meta = JSON.stringify({ c: 'C0SEC', t: pickedUser(values) }),
  userId = 'UREQ',
  viewId = 'VSUBMIT',
) {
  return {
    type: 'view_submission',
    team: { id: 'T1', domain: 'acme' },
    user: { id: userId, name: 'bob', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: '1.2.3',
    view: {
      id: viewId,
      team_id: 'T1',
      type: 'modal',
      callback_id: 'revoke_request',
      private_metadata: meta,
      hash: 'h',
      blocks: [],
      state: { values },
    },
  };
}

/** The modal's `state.values` for the given choices. */
export function formValues(o: {
  target?: string;
  systems?: string[];
  scope?: string;
  reason?: string;
  mode?: string;
  sessions?: string[];
}) {
  const values: Record<string, Record<string, unknown>> = {
    target: { target_user: { type: 'users_select', selected_user: o.target ?? 'UALICE' } },
    systems: {
      systems_selected: {
        type: 'checkboxes',
        selected_options: (o.systems ?? ['slack']).map((value) => ({ value })),
      },
    },
    slack_scope: {
      slack_scope_selected: { type: 'radio_buttons', selected_option: { value: o.scope ?? 'all' } },
    },
    reason: { reason_input: { type: 'plain_text_input', value: o.reason ?? 'INC-42: phished' } },
  };
  if (o.mode) {
    values.session_mode = {
      session_mode_selected: { type: 'radio_buttons', selected_option: { value: o.mode } },
    };
    values.sessions_slack = {
      sessions_selected: {
        type: 'multi_static_select',
        selected_options: (o.sessions ?? []).map((value) => ({ value })),
      },
    };
  }
  return values;
}
