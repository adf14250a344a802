/** A block_actions payload for a button on a message, as Slack sends it. */
export function buttonClick(o: {
  userId: string;
  actionId: string;
  value: string;
  channel: string;
  messageTs: string;
}) {
  return {
    type: 'block_actions',
    user: { id: o.userId, name: o.userId.toLowerCase(), team_id: 'T1' },
    team: { id: 'T1', domain: 'acme' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: `trig-${o.userId}`,
    container: { type: 'message', message_ts: o.messageTs, channel_id: o.channel, is_ephemeral: false },
    channel: { id: o.channel, name: 'approvals' },
    message: { type: 'message', ts: o.messageTs, text: 'card' },
    response_url: 'http://127.0.0.1:9/actions/response',
    actions: [
      {
        type: 'button',
        action_id: o.actionId,
        block_id: 'approval',
        value: o.value,
        action_ts: '1700000000.1',
      },
    ],
  };
}

/** The approver's click on Approve on a request's card (the tests' approver UAPP1, channel C0APPROVE). */
export function approveClick(requestId: string, cardTs: string, userId = 'UAPP1') {
  return buttonClick({
    userId,
    actionId: 'approve_request',
    value: requestId,
    channel: 'C0APPROVE',
    messageTs: cardTs,
  });
}

/** The break-glass modal's submission. */
export function breakGlassSubmission(userId: string, requestId: string, justification: string) {
  return {
    type: 'view_submission',
    team: { id: 'T1', domain: 'acme' },
    user: { id: userId, name: 'u', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: '1.2.3',
    view: {
      id: 'VBREAK',
      team_id: 'T1',
      type: 'modal',
      callback_id: 'break_glass',
      private_metadata: JSON.stringify({ r: requestId, c: 'C0APPROVE' }),
      hash: 'h',
      blocks: [],
      state: {
        values: {
          justification: { justification_input: { type: 'plain_text_input', value: justification } },
        },
      },
    },
  };
}
