import { describe, expect, it } from 'vitest';
import type { SystemPreview } from '../../../src/engine/plan.js';
import {
  describeSession,
  messageModal,
  previewLine,
  requestModal,
  type SystemChoice,
} from '../../../src/slack/blocks/request-modal.js';
import {
  blockById,
  blocksOf,
  blockText,
  contextTexts,
  inputElement,
  sectionTexts,
} from '../../helpers/blocks.js';
import { CAPABILITIES, foundPreview, HOSTILE, HOSTILE_ESCAPED, SESSIONS } from './fixtures.js';

const SYSTEMS: SystemChoice[] = [
  { id: 'slack', label: 'Slack', capabilities: CAPABILITIES.slack },
  { id: 'box', label: 'Box', capabilities: CAPABILITIES.box },
  { id: 'mattermost', label: 'Mattermost', capabilities: CAPABILITIES.mattermost },
];

const ready = requestModal({
  systems: SYSTEMS,
  metadata: { c: 'C0SEC', t: 'UALICE' },
  initialUser: 'UALICE',
  preview: {
    kind: 'ready',
    who: 'Alice (alice@example.com)',
    previews: [foundPreview('slack'), foundPreview('box'), foundPreview('mattermost', [])],
  },
});

describe('requestModal', () => {
  it('matches the snapshot with a ready preview', () => {
    expect(ready).toMatchSnapshot();
  });

  it('matches the snapshot before a person is chosen', () => {
    expect(requestModal({ systems: SYSTEMS, metadata: {}, preview: { kind: 'none' } })).toMatchSnapshot();
  });

  it('is the request view, carrying where it was opened and for whom', () => {
    expect(ready.callback_id).toBe('revoke_request');
    expect(JSON.parse(ready.private_metadata ?? '')).toEqual({ c: 'C0SEC', t: 'UALICE' });
    expect(ready.submit?.text).toBe('Revoke');
  });

  it('prefills the person; a suffix gives the picker a new block id so Slack applies it', () => {
    expect(inputElement(ready, 'target').initial_user).toBe('UALICE');
    expect(blockById(ready, 'target').dispatch_action).toBe(true);
    const moved = requestModal({
      systems: SYSTEMS,
      metadata: {},
      initialUser: 'UBOB',
      targetBlockSuffix: 'UBOB',
      preview: { kind: 'none' },
    });
    expect(blockById(moved, 'target:UBOB').element?.initial_user).toBe('UBOB');
    expect(blocksOf(moved).some((b) => b.block_id === 'target')).toBe(false);
  });

  it('prefills "also revoke for" only with the people given, up to 999', () => {
    expect(inputElement(ready, 'more_targets').initial_users).toBeUndefined();
    const many = Array.from({ length: 1200 }, (_, i) => `U${i}X`);
    const bulk = requestModal({ systems: SYSTEMS, metadata: {}, moreUsers: many, preview: { kind: 'none' } });
    const more = inputElement(bulk, 'more_targets');
    expect(more.initial_users).toEqual(many.slice(0, 999));
    expect(more.max_selected_items).toBe(999);
  });

  it('offers exactly the configured systems, all checked', () => {
    const systems = inputElement(ready, 'systems');
    expect(systems.options?.map((o) => [o.value, o.text?.text])).toEqual([
      ['slack', 'Slack'],
      ['box', 'Box'],
      ['mattermost', 'Mattermost'],
    ]);
    expect(systems.initial_options?.map((o) => o.value)).toEqual(['slack', 'box', 'mattermost']);
  });

  it('asks for the Slack scope only when a system supports scopes', () => {
    expect(inputElement(ready, 'slack_scope').options?.map((o) => o.value)).toEqual(['all', 'web', 'mobile']);
    expect(inputElement(ready, 'slack_scope').initial_option?.value).toBe('all');
    const noSlack = requestModal({ systems: SYSTEMS.slice(1), metadata: {}, preview: { kind: 'none' } });
    expect(blocksOf(noSlack).some((b) => b.block_id === 'slack_scope')).toBe(false);
  });

  it('shows one preview section per system', () => {
    expect(blockText(ready, 'preview_slack')).toBe(previewLine(foundPreview('slack')));
    expect(blockText(ready, 'preview_box')).toBe(
      '*Box*: account alice@example.com — cannot list sessions; all will be ended',
    );
    expect(blockText(ready, 'preview_mattermost')).toBe(
      '*Mattermost*: account alice@example.com — no active sessions listed',
    );
  });

  it('offers session choice only for systems that can revoke single sessions and listed some', () => {
    expect(inputElement(ready, 'session_mode').options?.map((o) => o.value)).toEqual(['all', 'selected']);
    const slack = inputElement(ready, 'sessions_slack');
    expect(slack.action_id).toBe('sessions_selected');
    expect(slack.options?.map((o) => [o.value, o.text?.text])).toEqual([
      ['S1', 'Mac Desktop 4.41 · macOS · 10.1.1.1'],
      ['S2', 'iPhone · iOS 18'],
    ]);
    expect(blocksOf(ready).some((b) => b.block_id === 'sessions_box')).toBe(false);
    expect(blocksOf(ready).some((b) => b.block_id === 'sessions_mattermost')).toBe(false);
  });

  it('has no session choice when no system listed sessions', () => {
    const none = requestModal({
      systems: SYSTEMS,
      metadata: {},
      preview: { kind: 'ready', who: 'Alice', previews: [foundPreview('box')] },
    });
    expect(blocksOf(none).some((b) => b.block_id === 'session_mode')).toBe(false);
  });

  it('escapes what it shows while loading and when refused', () => {
    const loading = requestModal({
      systems: SYSTEMS,
      metadata: {},
      preview: { kind: 'loading', what: `Looking up ${HOSTILE}` },
    });
    expect(contextTexts(loading).at(-1)).toBe(`:hourglass_flowing_sand: Looking up ${HOSTILE_ESCAPED}`);
    const refused = requestModal({
      systems: SYSTEMS,
      metadata: {},
      preview: { kind: 'refused', message: HOSTILE },
    });
    expect(sectionTexts(refused).at(-1)).toBe(`:no_entry: ${HOSTILE_ESCAPED}`);
  });
});

describe('previewLine', () => {
  const base = { system: 'slack' as const, label: 'Slack', capabilities: CAPABILITIES.slack };
  const account = { system: 'slack' as const, id: 'U1', login: 'alice@example.com' };

  it('describes every lookup outcome', () => {
    const cases: [SystemPreview, string][] = [
      [{ ...base, error: 'timed out' }, '*Slack*: :warning: could not check — timed out'],
      [base, '*Slack*: not checked'],
      [{ ...base, lookup: { status: 'not_found', detail: 'x' } }, '*Slack*: no account for this person'],
      [
        { ...base, lookup: { status: 'ambiguous', candidates: 2, detail: 'x' } },
        '*Slack*: :warning: several accounts match; nothing will be revoked there',
      ],
      [{ ...base, lookup: { status: 'not_allowed', detail: 'an admin' } }, '*Slack*: :no_entry: an admin'],
      [
        { ...base, lookup: { status: 'found', account }, sessionCount: 3 },
        '*Slack*: account alice@example.com — 3 active sessions (a protected person: only approvers see the details)',
      ],
      [
        {
          system: 'huawei',
          label: 'Huawei Cloud',
          capabilities: CAPABILITIES.huawei,
          lookup: { status: 'found', account: { ...account, system: 'huawei' } },
        },
        '*Huawei Cloud*: account alice@example.com — cannot list sessions; all will be ended (queued job)',
      ],
    ];
    for (const [preview, line] of cases) expect(previewLine(preview)).toBe(line);
  });

  it('lists the sessions, at most 15', () => {
    const many = Array.from({ length: 18 }, (_, i) => ({ id: `S${i}`, device: `Device ${i}` }));
    const lines = previewLine({ ...base, lookup: { status: 'found', account }, sessions: many }).split('\n');
    expect(lines[0]).toBe('*Slack*: account alice@example.com — 18 active sessions');
    expect(lines).toHaveLength(1 + 15 + 1);
    expect(lines.at(-1)).toBe('• …and 3 more');
  });

  it('escapes the label, the login, the error, the detail and every session field', () => {
    const hostileSession = { id: 'S1', device: HOSTILE, os: HOSTILE, ip: HOSTILE, lastActiveAt: HOSTILE };
    expect(
      previewLine({
        ...base,
        label: HOSTILE,
        lookup: { status: 'found', account: { ...account, login: HOSTILE } },
        sessions: [hostileSession],
      }),
    ).toBe(
      `*${HOSTILE_ESCAPED}*: account ${HOSTILE_ESCAPED} — 1 active session\n• ${HOSTILE_ESCAPED} · ${HOSTILE_ESCAPED} · IP ${HOSTILE_ESCAPED} · last active ${HOSTILE_ESCAPED}`,
    );
    expect(previewLine({ ...base, error: HOSTILE })).toBe(
      `*Slack*: :warning: could not check — ${HOSTILE_ESCAPED}`,
    );
    expect(previewLine({ ...base, lookup: { status: 'not_allowed', detail: HOSTILE } })).toBe(
      `*Slack*: :no_entry: ${HOSTILE_ESCAPED}`,
    );
  });
});

describe('describeSession', () => {
  it('joins device, OS, IP and last activity, or says the device is unknown', () => {
    expect(describeSession(SESSIONS[0] ?? { id: '' })).toBe(
      'Mac Desktop 4.41 · macOS · IP 10.1.1.1 · last active 2026-03-01T11:00:00Z',
    );
    expect(describeSession({ id: 'S0' })).toBe('unknown device');
  });
});

describe('messageModal', () => {
  it('shows the message escaped, with a bounded title and only a Close button', () => {
    const modal = messageModal('A title far longer than Slack allows', HOSTILE);
    expect(modal).toMatchSnapshot();
    expect(modal.title.text).toBe('A title far longer than…');
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
    expect(modal.submit).toBeUndefined();
    expect(sectionTexts(modal)).toEqual([HOSTILE_ESCAPED]);
  });
});
