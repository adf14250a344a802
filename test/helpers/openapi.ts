import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

interface Operation {
  parameters?: { name: string; in: string; required?: boolean; schema?: object; $ref?: string }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: object }> };
}

/** A vendor OpenAPI 3 document, ready to check requests against. */
export interface Spec {
  doc: {
    paths: Record<string, Record<string, Operation>>;
    components?: { parameters?: Record<string, unknown> };
  };
  ajv: Ajv;
  cache: Map<string, ValidateFunction>;
}

/** Loads an OpenAPI 3 JSON document (the vendored copies live in `test/contracts/`). */
export function loadSpec(file: URL): Spec {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  // OpenAPI 3.0 `nullable` has no JSON-Schema meaning; formats are checked loosely.
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: true, validateFormats: false });
  ajv.addSchema(doc, 'spec');
  return { doc, ajv, cache: new Map() };
}

function retarget(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/', '"spec#/'));
}

function compile(spec: Spec, key: string, schema: object): ValidateFunction {
  let v = spec.cache.get(key);
  if (!v) {
    v = spec.ajv.compile(retarget(schema));
    spec.cache.set(key, v);
  }
  return v;
}

function templateMatch(template: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const re = new RegExp(
    `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, n: string) => {
      names.push(n);
      return '([^/]+)';
    })}$`,
  );
  const m = re.exec(path);
  if (!m) return undefined;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')]));
}

/**
 * Checks one request against the spec: the operation exists, required path and
 * query parameters are present and match their schemas, and the JSON body
 * matches the request body schema. Returns the violations (empty = valid).
 */
export function validateRequest(
  spec: Spec,
  req: { method: string; path: string; query?: Record<string, string>; body?: unknown; basePath?: string },
): string[] {
  const path =
    req.basePath && req.path.startsWith(req.basePath) ? req.path.slice(req.basePath.length) : req.path;
  // Literal paths win over templates (/users/me before /users/{user_id}).
  const candidates = Object.keys(spec.doc.paths).sort(
    (a, b) => (a.includes('{') ? 1 : 0) - (b.includes('{') ? 1 : 0),
  );
  for (const template of candidates) {
    const params = templateMatch(template, path);
    if (!params) continue;
    const op = spec.doc.paths[template]?.[req.method.toLowerCase()];
    if (!op) continue;
    const errors: string[] = [];
    for (const p of op.parameters ?? []) {
      if (!p.name) continue;
      const value = p.in === 'path' ? params[p.name] : p.in === 'query' ? req.query?.[p.name] : undefined;
      if (p.in !== 'path' && p.in !== 'query') continue;
      if (value === undefined) {
        if (p.required) errors.push(`${p.in} parameter ${p.name} is required`);
        continue;
      }
      if (p.schema) {
        const v = compile(spec, `${template}:${p.in}:${p.name}`, p.schema);
        // Arrays in the query are comma-separated (style form, explode false).
        const typed = (p.schema as { type?: string }).type === 'array' ? value.split(',') : value;
        if (!v(typed)) errors.push(`${p.in} parameter ${p.name}: ${spec.ajv.errorsText(v.errors)}`);
      }
    }
    for (const name of Object.keys(req.query ?? {})) {
      if (!(op.parameters ?? []).some((p) => p.name === name && p.in === 'query'))
        errors.push(`unknown query parameter ${name}`);
    }
    const schema = op.requestBody?.content?.['application/json']?.schema;
    if (schema && (req.body !== undefined || op.requestBody?.required)) {
      const v = compile(spec, `${template}:${req.method}:body`, schema);
      if (!v(req.body)) errors.push(`body: ${spec.ajv.errorsText(v.errors)}`);
    } else if (!schema && req.body !== undefined && req.body !== '') {
      errors.push('a body was sent to an operation that takes none');
    }
    return errors;
  }
  return [`no operation ${req.method} ${path} in the spec`];
}
