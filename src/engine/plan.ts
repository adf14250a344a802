import type { SystemId } from '../catalog.js';
import { asRevokeError } from '../errors.js';
import type { Person, ProviderMap } from '../providers/types.js';
import type { RequestPlan, SystemPreview } from './types.js';

export type { SystemPreview };

const PREVIEW_TIMEOUT_MS = 8_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(ms / 1000)} s`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * Finds the person in each system and lists their sessions, all systems in
 * parallel, each bounded in time; one system failing never hides the others.
 */
export async function previewPerson(
  providers: ProviderMap,
  systems: SystemId[],
  person: Person,
  timeoutMs = PREVIEW_TIMEOUT_MS,
): Promise<SystemPreview[]> {
  return Promise.all(
    systems.flatMap((system) => {
      const provider = providers.get(system);
      if (!provider) return [];
      const base = { system, label: provider.label, capabilities: provider.capabilities };
      const run = async (): Promise<SystemPreview> => {
        const lookup = await provider.findAccount(person);
        if (lookup.status !== 'found' || !provider.listSessions) return { ...base, lookup };
        return { ...base, lookup, sessions: await provider.listSessions(lookup.account) };
      };
      return [
        withTimeout(run(), timeoutMs).catch((error: unknown) => ({
          ...base,
          error: asRevokeError(error, system).message,
        })),
      ];
    }),
  );
}

/** The preview with session details replaced by their count (what a non-approver sees of a protected person). */
export function countsOnly(preview: SystemPreview): SystemPreview {
  if (!preview.sessions) return preview;
  const { sessions, ...rest } = preview;
  return { ...rest, sessionCount: sessions.length };
}

/**
 * The chosen sessions as each system listed them for the person (the plan's `chosenSessions`):
 * only ids the system listed for this person are kept. A system whose listing failed or that
 * cannot list has no entry (execution then checks against the live listing alone).
 */
export function chosenSessions(
  previews: SystemPreview[],
  selection: Partial<Record<SystemId, string[]>>,
): { chosen: NonNullable<RequestPlan['chosenSessions']>; refused: Partial<Record<SystemId, string[]>> } {
  const chosen: NonNullable<RequestPlan['chosenSessions']> = {};
  const refused: Partial<Record<SystemId, string[]>> = {};
  for (const p of previews) {
    const ids = selection[p.system];
    if (!ids || !p.sessions) continue;
    const listed = new Map(p.sessions.map((s) => [s.id, s]));
    chosen[p.system] = ids.flatMap((id) => {
      const session = listed.get(id);
      return session ? [session] : [];
    });
    const notListed = ids.filter((id) => !listed.has(id));
    if (notListed.length > 0) refused[p.system] = notListed;
  }
  return { chosen, refused };
}
