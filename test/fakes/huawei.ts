import { Ajv, type ValidateFunction } from 'ajv';
import {
  type FakeHuaweiOptions,
  HUAWEI_ROUTES,
  FakeHuawei as ShippedFakeHuawei,
} from '../../src/fakes/huawei.js';
import { loadSpec } from '../helpers/openapi.js';
import { openApiContract, type Received, type Reply, type VendorContract } from './vendor.js';

export * from '../../src/fakes/huawei.js';

const spec = loadSpec(
  new URL('../contracts/huawei/identitycenterstore_sessions.openapi.json', import.meta.url),
);
const RESPONSES: Record<string, string> = { users: 'ListUsersResponse', sessions: 'ListSessionsResponse' };
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(spec.doc, 'hw');
const compiled = new Map<string, ValidateFunction>();
function validator(key: string, schema: object): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    v = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/', '"hw#/')));
    compiled.set(key, v);
  }
  return v;
}
type Param = { name: string; in: string; required?: boolean; schema?: object; $ref?: string };
function headerParams(route: string): Param[] {
  const { method, template } = HUAWEI_ROUTES[route] ?? {};
  const op = (spec.doc.paths[template ?? ''] as Record<string, { parameters?: Param[] }> | undefined)?.[
    method ?? ''
  ];
  const shared = (spec.doc.components?.parameters ?? {}) as Record<string, Param>;
  return (op?.parameters ?? [])
    .map((p) => (p.$ref ? shared[p.$ref.split('/').pop() ?? ''] : p))
    .filter((p): p is Param => p?.in === 'header');
}

/** Path, query and body (the OpenAPI document), the documented headers of the route, and the fake's own answers. */
function huaweiContract(): VendorContract {
  const paths = openApiContract(spec);
  return {
    request(req: Received, route: string | undefined): string[] {
      const problems = paths.request(req, route);
      if (route === undefined) return problems;
      for (const p of headerParams(route)) {
        const raw = req.headers[p.name.toLowerCase()];
        const value = Array.isArray(raw) ? raw.join(', ') : raw;
        if (value === undefined) {
          if (p.required) problems.push(`${req.method} ${req.path}: header ${p.name} is required`);
        } else if (p.schema && !validator(`header:${p.name}`, p.schema)(value)) {
          problems.push(`${req.method} ${req.path}: header ${p.name} does not match its schema`);
        }
      }
      return problems;
    },
    response(route: string, reply: Reply): string[] {
      const schema = RESPONSES[route];
      if (reply.status !== 200 || !schema || reply.body === undefined) return [];
      // The API page says the last page's next_marker "is returned as null"; the spec types it a string.
      const body = JSON.parse(JSON.stringify(reply.body).replace('"next_marker":null', '"next_marker":""'));
      return validator(schema, { $ref: `#/components/schemas/${schema}` })(body)
        ? []
        : [`${route}: ${ajv.errorsText(compiled.get(schema)?.errors)}`];
    },
  };
}

/**
 * The fake identity store, every request's path, query, headers and body checked against the
 * OpenAPI description (`violations`) and its own answers too (`responseViolations`).
 */
export class FakeHuawei extends ShippedFakeHuawei {
  override contract = huaweiContract();
}

/** Starts a fake Huawei identity store on 127.0.0.1 (port 0). */
export async function startFakeHuawei(opts: FakeHuaweiOptions = {}): Promise<FakeHuawei> {
  const fake = new FakeHuawei(opts);
  await fake.start();
  return fake;
}
