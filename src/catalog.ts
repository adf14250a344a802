/**
 * The systems revoke-sessions can act on, by id, in display order (identity providers first: they
 * run first in a request). A leaf: it imports nothing, so every module can name a system without
 * pulling in the providers or the configuration. The provider registry maps each id to its
 * descriptor, and a type check there fails when the two disagree.
 */
// biome-ignore format: one id per line, so adding a system is a one-line change here
export const SYSTEM_IDS = [
  'okta',
  'entra',
  'google',
  'slack',
  'box',
  'mattermost',
  'huawei',
] as const;

/** A system's id: in requests, the audit log, `--systems`, the API and metrics. */
export type SystemId = (typeof SYSTEM_IDS)[number];

/** Whether a string is a system's id. */
export const isSystemId = (value: string): value is SystemId =>
  (SYSTEM_IDS as readonly string[]).includes(value);
