import type { BoxConfig } from '../../config.js';
import type { SessionProvider } from '../types.js';
import { BoxClient, type BoxDeps } from './client.js';
import { BoxProvider } from './provider.js';

/** Creates the Box provider for a configured enterprise. */
export function createBoxProvider(config: BoxConfig, deps: BoxDeps): SessionProvider {
  return new BoxProvider(new BoxClient(config, deps));
}
