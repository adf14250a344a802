import type { SystemId } from '../config.js';
import { asRevokeError } from '../errors.js';
import type {
  AccountLookup,
  Person,
  ProviderCapabilities,
  ProviderMap,
  Session,
} from '../providers/types.js';

/** What one system knows about the person before anything is revoked (the dry run). */
export interface SystemPreview {
  system: SystemId;
  label: string;
  capabilities: ProviderCapabilities;
  lookup?: AccountLookup | undefined;
  /** Present when the system can list and the account was found. */
  sessions?: Session[] | undefined;
  /** A lookup or listing failure, as a sentence. */
  error?: string | undefined;
}

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
        if (lookup.status !== 'found' || !provider.capabilities.listSessions) return { ...base, lookup };
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
