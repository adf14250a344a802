import { SYSTEM_IDS, type SystemId } from '../catalog.js';
import { box } from './box/index.js';
import { entra } from './entra/index.js';
import { google } from './google-workspace/index.js';
import { huawei } from './huawei-cloud/index.js';
import { mattermost } from './mattermost/index.js';
import { okta } from './okta/index.js';
import { slack } from './slack-admin/index.js';

/**
 * Every system's descriptor, in the catalog's order (a test holds the two together). Config,
 * labels, the CLI, the API's enum, the `.env.example` sections and the test tables derive from
 * this list: one line per system here, one id in `catalog.ts`.
 */
// biome-ignore format: one entry per line, so adding a system is a one-line change here
export const SYSTEMS = [
  okta,
  entra,
  google,
  slack,
  box,
  mattermost,
  huawei,
] as const;

/** One registered system's descriptor. */
export type RegisteredSystem = (typeof SYSTEMS)[number];

/** Fails to compile when the registry and the catalog disagree (a system missing in one of them). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const covers: Same<RegisteredSystem['id'], SystemId> = true;
void covers;

export { SYSTEM_IDS, type SystemId };

/** The settings type of one system, from its descriptor. */
export type SettingsOf<K extends SystemId> =
  Extract<RegisteredSystem, { id: K }> extends { configure(...args: never[]): infer C }
    ? NonNullable<C>
    : never;

/** Each configured system's settings, by id (absent: not configured). */
export type SystemSettings = { readonly [K in SystemId]?: SettingsOf<K> };

/** The descriptor of a system id. */
export function systemById(id: SystemId): RegisteredSystem {
  const found = SYSTEMS.find((s) => s.id === id);
  if (!found) throw new Error(`unknown system ${id}`);
  return found;
}

/** A system's name in sentences. */
export function systemLabel(id: SystemId): string {
  return systemById(id).label;
}
