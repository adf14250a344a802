import { FakeOkta as ShippedFakeOkta } from '../../src/fakes/okta.js';
import { loadSpec } from '../helpers/openapi.js';
import { openApiContract } from './vendor.js';

export * from '../../src/fakes/okta.js';

/** Okta's published OpenAPI document, trimmed to the operations the app calls. */
const spec = loadSpec(new URL('../contracts/okta/okta_users_sessions.openapi.json', import.meta.url));

/** The fake Okta org, every request checked against Okta's OpenAPI document (`violations`). */
export class FakeOkta extends ShippedFakeOkta {
  override contract = openApiContract(spec);
}
