import { z } from 'zod';
import { SYSTEM_IDS, type SystemId } from '../../catalog.js';
import type { SlackScope } from '../../providers/types.js';
import { isSlackUserId, MAX_REASON_CHARS } from '../../util/input-rules.js';
import { IDS } from '../blocks/ids.js';

/** A validated modal submission. */
export interface RequestForm {
  targetUserId: string;
  /** Further people (bulk), without the main one and without duplicates. */
  additionalUserIds: string[];
  systems: SystemId[];
  scope: SlackScope;
  reason: string;
  /** Present when "only selected sessions" was chosen: session IDs per system (and `systems` is just those). */
  selection?: Partial<Record<SystemId, string[]>> | undefined;
}

export type RequestFormResult =
  | { ok: true; form: RequestForm }
  | { ok: false; errors: Record<string, string> };

const option = z.object({ value: z.string().max(150) });
const actionState = z
  .object({
    type: z.string().optional(),
    selected_user: z.string().nullish(),
    selected_option: option.nullish(),
    selected_options: z.array(option).max(100).nullish(),
    selected_users: z.array(z.string().max(20)).max(1000).nullish(),
    value: z.string().max(3000).nullish(),
  })
  .loose();
const stateSchema = z.record(z.string().max(255), z.record(z.string().max(255), actionState));

export const MAX_REASON = MAX_REASON_CHARS;

/** Finds the action state of the first block whose id equals or starts with `blockId`. */
function pick(values: z.infer<typeof stateSchema>, blockId: string, actionId: string) {
  for (const [id, actions] of Object.entries(values)) {
    if (id === blockId || id.startsWith(`${blockId}:`)) return { blockId: id, state: actions[actionId] };
  }
  return { blockId, state: undefined };
}

/**
 * Turns the modal's `view.state.values` into a {@link RequestForm}, or into
 * `response_action: errors` messages keyed by block ID. `enabled` is the set
 * of configured systems: anything else is refused.
 */
export function parseRequestView(rawValues: unknown, enabled: readonly SystemId[]): RequestFormResult {
  const parsed = stateSchema.safeParse(rawValues);
  if (!parsed.success)
    return { ok: false, errors: { [IDS.reasonBlock]: 'The form arrived damaged; please try again.' } };
  const values = parsed.data;
  const errors: Record<string, string> = {};

  const target = pick(values, IDS.targetBlock, IDS.targetAction);
  const targetUserId = target.state?.selected_user ?? '';
  if (!isSlackUserId(targetUserId)) errors[target.blockId] = 'Choose the person whose sessions to revoke.';

  const systemsState = pick(values, IDS.systemsBlock, IDS.systemsAction);
  const chosen = (systemsState.state?.selected_options ?? []).map((o) => o.value);
  const systems = SYSTEM_IDS.filter((s) => chosen.includes(s) && enabled.includes(s));
  if (systems.length === 0) errors[systemsState.blockId] = 'Select at least one system.';
  else if (chosen.some((c) => !systems.includes(c as SystemId))) {
    errors[systemsState.blockId] =
      'A selected system is not configured on this server any more; reopen the form.';
  }

  const more = values[IDS.moreTargetsBlock]?.[IDS.moreTargetsAction]?.selected_users ?? [];
  const additionalUserIds = [...new Set(more.filter((u) => isSlackUserId(u) && u !== targetUserId))];
  if (more.length > 999) errors[IDS.moreTargetsBlock] = 'At most 999 more people in one request.';

  const scopeValue = pick(values, IDS.scopeBlock, IDS.scopeAction).state?.selected_option?.value ?? 'all';
  const scope: SlackScope = scopeValue === 'web' || scopeValue === 'mobile' ? scopeValue : 'all';

  const reasonState = pick(values, IDS.reasonBlock, IDS.reasonAction);
  const reason = (reasonState.state?.value ?? '').trim();
  if (reason === '')
    errors[reasonState.blockId] = 'Give a reason: it goes into the audit log and the results thread.';
  else if (reason.length > MAX_REASON)
    errors[reasonState.blockId] = `Keep the reason under ${MAX_REASON} characters.`;

  let selection: Partial<Record<SystemId, string[]>> | undefined;
  const mode = pick(values, IDS.modeBlock, IDS.modeAction);
  if (mode.state?.selected_option?.value === 'selected') {
    selection = {};
    for (const system of systems) {
      const s = values[`${IDS.sessionsBlockPrefix}${system}`]?.[IDS.sessionsAction];
      const ids = [...new Set((s?.selected_options ?? []).map((o) => o.value))];
      if (ids.length > 0) selection[system] = ids;
    }
    if (additionalUserIds.length > 0) {
      errors[mode.blockId] =
        'Single sessions can only be chosen for one person; choose "All sessions" for a bulk request.';
    } else if (Object.keys(selection).length === 0) {
      errors[mode.blockId] =
        'You chose "only selected sessions" but selected none; pick sessions or choose all.';
    }
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  // In "selected" mode, systems where nothing was selected are left alone (never "all" by omission).
  const acted = selection ? systems.filter((s) => selection?.[s] !== undefined) : systems;
  return { ok: true, form: { targetUserId, additionalUserIds, systems: acted, scope, reason, selection } };
}
