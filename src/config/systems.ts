import type { z } from 'zod';
import type { SystemRateLimits } from '../providers/budget/index.js';
import { SYSTEMS, type SystemId, type SystemSettings } from '../providers/registry.js';
import type { EnvValues } from '../util/env-vars.js';

/** Every system's variables with their schemas, composed from the registry. */
export function systemsEnvShape(): Record<string, z.ZodType<string | undefined, string | undefined>> {
  const shape: Record<string, z.ZodType<string | undefined, string | undefined>> = {};
  for (const system of SYSTEMS) Object.assign(shape, system.env);
  return shape;
}

/** Every system's documented rate limits, by id (the budgets' defaults). */
export function documentedRateLimits(): Record<string, SystemRateLimits | undefined> {
  return Object.fromEntries(SYSTEMS.map((s) => [s.id, s.rateLimits]));
}

/** Variables whose value is a secret, across every system. */
export const SYSTEM_SECRET_VARS: readonly string[] = SYSTEMS.flatMap((s) => s.secretVars);

/** Each system's settings from the validated environment; problems are pushed, naming the variable. */
export function configureSystems(env: EnvValues, problems: string[]): SystemSettings {
  const settings: Record<string, unknown> = {};
  for (const system of SYSTEMS) {
    const configured = system.configure(env, problems);
    if (configured !== undefined) settings[system.id] = configured;
  }
  return settings as SystemSettings;
}

/** The configured systems, in display order. */
export function configuredSystemIds(settings: SystemSettings): SystemId[] {
  return SYSTEMS.filter((s) => settings[s.id] !== undefined).map((s) => s.id);
}

/** Every secret value in the systems' settings, for redaction. */
export function systemSecrets(settings: SystemSettings): (string | undefined)[] {
  return SYSTEMS.flatMap((system) => {
    const configured = settings[system.id];
    if (configured === undefined) return [];
    // Each descriptor reads back the settings it produced itself.
    return [...(system.secrets as (c: typeof configured) => readonly (string | undefined)[])(configured)];
  });
}

/** How to turn any system on, for "no system is configured" sentences. */
export function enableAnySystem(): string {
  const ways = SYSTEMS.map((s) => s.enableWith);
  return ways.length > 1 ? `${ways.slice(0, -1).join(', ')}, or ${ways.at(-1)}` : (ways[0] ?? '');
}
