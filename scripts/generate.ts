/**
 * Writes the files that derive from the system registry: `.env.example` (each system's section
 * from its descriptor), the systems enum of `docs/openapi.yaml`, the Slack app manifests (HTTP
 * and Socket Mode), the package description, the marked passages of README.md, SECURITY.md and
 * docs/operations.md that name the systems, and one page per system, `docs/systems/<id>.md` (from
 * its descriptor and `src/providers/<folder>/<id>.md`). Run after adding a system or editing one
 * of those: `npm run generate`. A test fails while any of them is out of date.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { renderEnvExample } from '../src/config/env-example.js';
import { SYSTEM_IDS } from '../src/providers/registry.js';
import {
  httpManifest,
  operationsText,
  readmeText,
  securityText,
  socketManifest,
  withPackageDescription,
} from './product-text.js';
import { providerFolders, SYSTEM_DOCS_DIR, systemDocs } from './system-docs.js';

const root = new URL('..', import.meta.url);

/** The OpenAPI document with its systems enum (the line marked for it) set to the registry ids. */
export function withSystemsEnum(yaml: string): string {
  const marked = /^(\s*items: \{ type: string, enum: \[)[^\]]*(\] \} # the registry; npm run generate)$/m;
  if (!marked.test(yaml)) throw new Error('docs/openapi.yaml: the marked systems enum line is missing');
  return yaml.replace(marked, `$1${SYSTEM_IDS.join(', ')}$2`);
}

/** Every generated file (path from the repository root) with what it must hold. */
export function generatedFiles(
  read: (path: string) => string,
  has: (path: string) => boolean = (path) => existsSync(new URL(path, root)),
): { path: string; content: string }[] {
  const manifest = httpManifest(read('manifest.yml'));
  return [
    { path: '.env.example', content: renderEnvExample() },
    { path: 'docs/openapi.yaml', content: withSystemsEnum(read('docs/openapi.yaml')) },
    { path: 'manifest.yml', content: manifest },
    { path: 'manifest.socket.yml', content: socketManifest(manifest) },
    { path: 'package.json', content: withPackageDescription(read('package.json')) },
    { path: 'README.md', content: readmeText(read('README.md')) },
    { path: 'SECURITY.md', content: securityText(read('SECURITY.md')) },
    { path: 'docs/operations.md', content: operationsText(read('docs/operations.md')) },
    ...systemDocs(providerFolders(root), read, has),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = generatedFiles((path) => readFileSync(new URL(path, root), 'utf8'));
  mkdirSync(new URL(`${SYSTEM_DOCS_DIR}/`, root), { recursive: true });
  for (const { path, content } of files) writeFileSync(new URL(path, root), content);
  process.stdout.write(`wrote ${files.map((f) => f.path).join(', ')} from the registry\n`);
}
