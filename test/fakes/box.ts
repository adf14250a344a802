import { FakeBox as ShippedFakeBox } from '../../src/fakes/box.js';
import { loadSpec } from '../helpers/openapi.js';
import { openApiContract } from './vendor.js';

export * from '../../src/fakes/box.js';

const spec = loadSpec(new URL('../contracts/box/box_openapi.trimmed.json', import.meta.url));

/** The fake Box, every request checked against Box's OpenAPI description (`violations`). */
export class FakeBox extends ShippedFakeBox {
  override contract = openApiContract(spec, { basePath: '/2.0', skip: (r) => r.path === '/oauth2/token' });
}
