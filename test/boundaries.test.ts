import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? m[2] ?? '');
}

/** Which folders may not import what: transport stays at the edge. */
const RULES: { folder: string; forbidden: RegExp; why: string }[] = [
  {
    folder: 'src/engine',
    forbidden: /^@slack\/|\/slack\/|^axios|^pg$|better-sqlite3/,
    why: 'the engine is pure domain logic',
  },
  {
    folder: 'src/providers',
    forbidden: /^@slack\/bolt|\/slack\/(?!.*slack-admin)|\/store\//,
    why: 'providers talk to vendors only',
  },
  {
    folder: 'src/store',
    forbidden: /^@slack\/|\/slack\/|\/providers\/|^axios/,
    why: 'the store knows no transport',
  },
  { folder: 'src', forbidden: /huaweicloud-sdk/, why: 'the official Huawei SDK is a test-only oracle' },
];

describe('import boundaries', () => {
  for (const rule of RULES) {
    it(`${rule.folder} respects: ${rule.why}`, () => {
      const offenders = sources(join(root, rule.folder)).flatMap((file) =>
        imports(file)
          .filter((spec) => rule.forbidden.test(spec))
          .map((spec) => `${relative(root, file)} imports ${spec}`),
      );
      expect(offenders).toEqual([]);
    });
  }

  it('the boundary check sees imports (it is not vacuous)', () => {
    const seen = imports(join(root, 'src/slack/app.ts'));
    expect(seen).toContain('@slack/bolt');
  });
});
