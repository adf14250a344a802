import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { SystemId } from '../../catalog.js';
import type { SystemPreview } from '../../engine/plan.js';
import type { ProviderCapabilities, Session } from '../../providers/types.js';
import { escapeInline, plain } from '../../util/mrkdwn.js';
import { encodeMetadata, IDS, type RequestViewMetadata } from './ids.js';
import { repeatText } from './proof.js';

/** A configured system as the modal shows it. */
export interface SystemChoice {
  id: SystemId;
  label: string;
  capabilities: ProviderCapabilities;
}

/** What the preview area shows. */
export type PreviewState =
  | { kind: 'none' }
  | { kind: 'loading'; what: string }
  | { kind: 'refused'; message: string }
  | {
      kind: 'ready';
      who: string;
      previews: SystemPreview[];
      /** The same person was revoked in the last 24 h (this would be a deliberate second reset). */
      repeatOf?: { requestId: string; at: string } | undefined;
    };

export interface RequestModalInput {
  systems: SystemChoice[];
  metadata: RequestViewMetadata;
  /** Prefills the person picker. */
  initialUser?: string | undefined;
  /** Set when the app (not the user) changes the picker: a new block_id makes Slack apply `initialUser`. */
  targetBlockSuffix?: string | undefined;
  /** Prefills "also revoke for" (bulk); set only when the modal opens. */
  moreUsers?: string[] | undefined;
  preview: PreviewState;
}

const MAX_LISTED = 15;

/**
 * "Also revoke for" takes up to 999 more people (Block Kit documents no maximum for a
 * multi_users_select's `max_selected_items`): one request of up to 1,000 people, as many as one
 * Slack resetBulk call takes, and what the submission guard accepts.
 */
export const MAX_MORE_PEOPLE = 999;

function text(t: string) {
  return { type: 'plain_text' as const, text: t, emoji: true };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One session as an escaped mrkdwn phrase: device, OS, IP, last activity. */
export function describeSession(s: Session): string {
  const parts = [
    s.device,
    s.os,
    s.ip ? `IP ${s.ip}` : undefined,
    s.lastActiveAt ? `last active ${s.lastActiveAt}` : undefined,
  ]
    .filter((p): p is string => typeof p === 'string' && p !== '')
    .map((p) => escapeInline(p, 80));
  return parts.join(' · ') || 'unknown device';
}

function sessionOption(s: Session): PlainTextOption {
  const label = [s.device, s.os, s.ip].filter(Boolean).join(' · ') || `session ${s.id}`;
  return { text: text(plain(label, 75)), value: s.id };
}

/** One system's preview as mrkdwn (escaped): account, sessions, or why not. */
export function previewLine(p: SystemPreview): string {
  const name = `*${escapeInline(p.label)}*`;
  if (p.error) return `${name}: :warning: could not check — ${escapeInline(p.error, 300)}`;
  const lookup = p.lookup;
  if (!lookup) return `${name}: not checked`;
  if (lookup.status === 'not_found') return `${name}: no account for this person`;
  if (lookup.status === 'ambiguous')
    return `${name}: :warning: several accounts match; nothing will be revoked there`;
  if (lookup.status === 'not_allowed') return `${name}: :no_entry: ${escapeInline(lookup.detail, 300)}`;
  const login = escapeInline(lookup.account.login);
  if (!p.capabilities.listSessions) {
    return `${name}: account ${login} — cannot list sessions; all will be ended${p.capabilities.asyncRevoke ? ' (queued job)' : ''}`;
  }
  if (p.sessionCount !== undefined) {
    return `${name}: account ${login} — ${plural(p.sessionCount, 'active session')} (a protected person: only approvers see the details)`;
  }
  const sessions = p.sessions ?? [];
  if (sessions.length === 0) return `${name}: account ${login} — no active sessions listed`;
  const lines = sessions.slice(0, MAX_LISTED).map((s) => `• ${describeSession(s)}`);
  if (sessions.length > MAX_LISTED) lines.push(`• …and ${sessions.length - MAX_LISTED} more`);
  return `${name}: account ${login} — ${sessions.length} active session${sessions.length === 1 ? '' : 's'}\n${lines.join('\n')}`;
}

function previewBlocks(state: PreviewState, systems: SystemChoice[]): KnownBlock[] {
  switch (state.kind) {
    case 'none':
      return [
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'Choose a person to see their sessions.' }] },
      ];
    case 'loading':
      return [
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: `:hourglass_flowing_sand: ${escapeInline(state.what)}` }],
        },
      ];
    case 'refused':
      return [
        { type: 'section', text: { type: 'mrkdwn', text: `:no_entry: ${escapeInline(state.message, 500)}` } },
      ];
    case 'ready':
      break;
  }
  const blocks: KnownBlock[] = [
    { type: 'header', text: text(plain(`Sessions of ${state.who}`, 150)) },
    ...(state.repeatOf
      ? [
          {
            type: 'section',
            block_id: 'repeat',
            text: { type: 'mrkdwn', text: repeatText(state.repeatOf) },
          } as KnownBlock,
        ]
      : []),
    ...state.previews.map(
      (p): KnownBlock => ({
        type: 'section',
        block_id: `preview_${p.system}`,
        text: { type: 'mrkdwn', text: previewLine(p).slice(0, 3000) },
      }),
    ),
  ];
  const selectable = state.previews.filter(
    (p) => p.capabilities.revokeSelected && p.lookup?.status === 'found' && (p.sessions?.length ?? 0) > 0,
  );
  if (selectable.length === 0) return blocks;
  blocks.push({
    type: 'input',
    block_id: IDS.modeBlock,
    label: text('Which sessions'),
    element: {
      type: 'radio_buttons',
      action_id: IDS.modeAction,
      initial_option: { text: text('All sessions'), value: 'all' },
      options: [
        { text: text('All sessions'), value: 'all' },
        {
          text: text('Only the sessions selected below'),
          value: 'selected',
          description: text('Systems where you select nothing are left alone.'),
        },
      ],
    },
  });
  for (const p of selectable) {
    const label = systems.find((s) => s.id === p.system)?.label ?? p.label;
    blocks.push({
      type: 'input',
      optional: true,
      block_id: `${IDS.sessionsBlockPrefix}${p.system}`,
      label: text(plain(`${label} sessions to end`, 150)),
      element: {
        type: 'multi_static_select',
        action_id: IDS.sessionsAction,
        placeholder: text('Select sessions'),
        options: (p.sessions ?? []).slice(0, 100).map(sessionOption),
      },
    });
  }
  return blocks;
}

/**
 * The request modal: person, systems (only configured ones), Slack scope,
 * reason, and the preview area that `views.update` fills in later.
 */
export function requestModal(input: RequestModalInput): ModalView {
  const { systems } = input;
  const hasSlack = systems.some((s) => s.capabilities.scopes);
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: input.targetBlockSuffix ? `${IDS.targetBlock}:${input.targetBlockSuffix}` : IDS.targetBlock,
      dispatch_action: true,
      label: text('Person'),
      element: {
        type: 'users_select',
        action_id: IDS.targetAction,
        placeholder: text('Whose sessions?'),
        ...(input.initialUser ? { initial_user: input.initialUser } : {}),
      },
    },
    {
      type: 'input',
      block_id: IDS.moreTargetsBlock,
      optional: true,
      label: text('Also revoke for (bulk)'),
      hint: text(
        'One request, one approval, results per person. Single sessions can only be chosen for one person.',
      ),
      element: {
        type: 'multi_users_select',
        action_id: IDS.moreTargetsAction,
        placeholder: text('More people'),
        max_selected_items: MAX_MORE_PEOPLE,
        ...(input.moreUsers?.length ? { initial_users: input.moreUsers.slice(0, MAX_MORE_PEOPLE) } : {}),
      },
    },
    {
      type: 'input',
      block_id: IDS.systemsBlock,
      label: text('Systems'),
      element: {
        type: 'checkboxes',
        action_id: IDS.systemsAction,
        options: systems.map((s) => ({ text: text(s.label), value: s.id })),
        initial_options: systems.map((s) => ({ text: text(s.label), value: s.id })),
      },
    },
  ];
  if (hasSlack) {
    const all = { text: text('All devices'), value: 'all' };
    blocks.push({
      type: 'input',
      block_id: IDS.scopeBlock,
      label: text('Slack sessions'),
      element: {
        type: 'radio_buttons',
        action_id: IDS.scopeAction,
        initial_option: all,
        options: [
          all,
          { text: text('Web only'), value: 'web' },
          { text: text('Mobile only'), value: 'mobile' },
        ],
      },
    });
  }
  blocks.push(
    {
      type: 'input',
      block_id: IDS.reasonBlock,
      label: text('Reason'),
      element: {
        type: 'plain_text_input',
        action_id: IDS.reasonAction,
        multiline: true,
        max_length: 1000,
        placeholder: text('e.g. INC-1234: phished credentials'),
      },
    },
    { type: 'divider' },
    ...previewBlocks(input.preview, systems),
  );
  return {
    type: 'modal',
    callback_id: IDS.requestView,
    title: text('Revoke sessions'),
    submit: text('Revoke'),
    close: text('Cancel'),
    private_metadata: encodeMetadata(input.metadata),
    blocks,
  };
}

/** A modal that only says why nothing can be done. */
export function messageModal(title: string, message: string): ModalView {
  return {
    type: 'modal',
    title: text(plain(title, 24)),
    close: text('Close'),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: escapeInline(message, 2900) } }],
  };
}
