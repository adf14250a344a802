/** The vendor fakes ship with the product (the demo runs them); the tests add the vendors' contracts. */
import type { Received, VendorContract } from '../../src/fakes/vendor.js';
import { type Spec, validateRequest } from '../helpers/openapi.js';

export * from '../../src/fakes/vendor.js';

/** Checks every request against a vendored OpenAPI document (`skip`: requests it does not describe). */
export function openApiContract(
  spec: Spec,
  o: { basePath?: string; skip?: (r: Received) => boolean } = {},
): VendorContract {
  return {
    request: (req) =>
      o.skip?.(req)
        ? []
        : validateRequest(spec, { ...req, basePath: o.basePath }).map(
            (p) => `${req.method} ${req.path}: ${p}`,
          ),
  };
}
