import { ConfigError, loadConfig } from '../../src/config.js';

/** The problems `loadConfig` names for `env` (none when it loads). */
export function configProblems(env: NodeJS.ProcessEnv, options?: Parameters<typeof loadConfig>[1]): string[] {
  try {
    loadConfig(env, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
