import { box } from './box/index.js';
import { entra } from './entra/index.js';
import { google } from './google-workspace/index.js';
import { huawei } from './huawei-cloud/index.js';
import { mattermost } from './mattermost/index.js';
import { okta } from './okta/index.js';
import { slack } from './slack-admin/index.js';

/**
 * Every system revoke-sessions can act on, in display order (identity providers first, when
 * there are any: they run first in a request). Config, labels, the CLI, the API's enum, the
 * `.env.example` sections and the test tables derive from this list: one line per system.
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

/** A system's id: the union of the registry's ids. */
export type SystemId = RegisteredSystem['id'];

/** The registry's ids, in display order. */
export const SYSTEM_IDS = SYSTEMS.map((s) => s.id) as readonly SystemId[] as readonly [
  SystemId,
  ...SystemId[],
];

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
