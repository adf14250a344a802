/**
 * Writes the files that derive from the system registry: `.env.example` (each system's section
 * from its descriptor) and the systems enum of `docs/openapi.yaml`. Run after adding a system:
 * `npm run generate`. A test fails while either file is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderEnvExample } from '../src/config/env-example.js';
import { SYSTEM_IDS } from '../src/providers/registry.js';

const root = new URL('..', import.meta.url);

/** The OpenAPI document with its systems enum (the line marked for it) set to the registry ids. */
export function withSystemsEnum(yaml: string): string {
  const marked = /^(\s*items: \{ type: string, enum: \[)[^\]]*(\] \} # the registry; npm run generate)$/m;
  if (!marked.test(yaml)) throw new Error('docs/openapi.yaml: the marked systems enum line is missing');
  return yaml.replace(marked, `$1${SYSTEM_IDS.join(', ')}$2`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('.env.example', root), renderEnvExample());
  const openapi = new URL('docs/openapi.yaml', root);
  writeFileSync(openapi, withSystemsEnum(readFileSync(openapi, 'utf8')));
  process.stdout.write('wrote .env.example and docs/openapi.yaml from the registry\n');
}
