import { FakeMattermost as ShippedFakeMattermost } from '../../src/fakes/mattermost.js';
import { loadSpec } from '../helpers/openapi.js';
import { openApiContract } from './vendor.js';

export * from '../../src/fakes/mattermost.js';

const spec = loadSpec(new URL('../contracts/mattermost/mattermost_sessions.openapi.json', import.meta.url));

/** The fake Mattermost, every request checked against its API reference (`violations`). */
export class FakeMattermost extends ShippedFakeMattermost {
  override contract = openApiContract(spec);
}
