import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module a source text names: `import … from`, `export … from`, `import '…'`, `import('…')`. */
function specifiers(text: string): string[] {
  return [
    ...text.matchAll(
      /(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm,
    ),
  ].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

function imports(file: string): string[] {
  return specifiers(readFileSync(file, 'utf8'));
}

/** The folders of the edge: Slack's transport, listeners and blocks, and the alert API. */
const EDGE = ['src/slack', 'src/api'];

/**
 * The relative imports in `text` (of the file at `file`) that resolve to the store, `src/store/`, or
 * to its port (`src/engine/store-port/`),
 * however they are spelled (`../store/types.js`, `../../store`, type-only, re-exported, dynamic).
 */
function storeImports(file: string, text: string): string[] {
  return specifiers(text).filter((spec) => {
    if (!spec.startsWith('.')) return false;
    const target = relative(root, resolve(dirname(file), spec));
    return (
      target === 'src/store' ||
      target.startsWith('src/store/') ||
      target.startsWith('src/store.') ||
      target.startsWith('src/engine/store-port')
    );
  });
}

/** The modules `text` loads at run time: every import but a type-only one (`import type`, `export type`). */
function loadedSpecifiers(text: string): string[] {
  return [
    ...text.matchAll(
      /^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm,
    ),
  ].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

/**
 * The modules `text` (of `file`) loads at run time that a production install lacks: a devDependency
 * (type-only imports vanish at build time and are allowed) or a file outside `src/`.
 */
function runtimeImports(file: string, text: string, devDependencies: string[]): string[] {
  return loadedSpecifiers(text).filter((spec) => {
    if (spec.startsWith('.')) return !relative(root, resolve(dirname(file), spec)).startsWith('src/');
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec);
    return devDependencies.includes(name);
  });
}

/** Which folders may not import what: transport stays at the edge. */
const RULES: { folder: string; forbidden: RegExp; why: string }[] = [
  {
    folder: 'src/engine',
    forbidden: /^@slack\/|\/slack\/|^axios|^pg$|better-sqlite3/,
    why: 'the engine is pure domain logic',
  },
  {
    folder: 'src/engine',
    forbidden: /(^|\/)store\//,
    why: 'the engine holds the store port (engine/store-port/); the store implements it, never the reverse',
  },
  {
    folder: 'src/engine',
    forbidden: /(^|\/)providers\/(budget(\/|$)|retry\.js|call-scope\.js)/,
    why: 'the engine decides a request’s lane and its calls’ guard; the mechanisms are given to it (EngineDeps.vendorCalls)',
  },
  {
    folder: 'src/runtime',
    forbidden: /(^|\/)slack\//,
    why: 'the runtime (work queue, scheduler, replica share, outbox) knows nothing of Slack’s edge',
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
  {
    folder: 'src/http',
    forbidden: /^\.\.\//,
    why: 'the shared HTTP transport sits below the edge and the providers and imports neither',
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

  it('no edge module imports the store: only the engine writes it, the surfaces call the engine', () => {
    const files = EDGE.flatMap((folder) => sources(join(root, folder)));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.flatMap((file) =>
      storeImports(file, readFileSync(file, 'utf8')).map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the store rule catches a store import however it is written (it is not vacuous)', () => {
    const listener = join(root, 'src/slack/listeners/commands/example.ts');
    const text = [
      "import type { Store } from '../../../store/types.js';",
      "import { SqliteStore } from '../../../store/sqlite.js';",
      "export { openStore } from '../../../store';",
      "import '../../../store/index.js';",
      "const m = await import('../../../store/postgres.js');",
      "import type { Effect } from '../../../engine/store-port/outbox.js';",
      "import { helpText } from '../../blocks/help.js';",
      "import type { RevocationEngine } from '../../../engine/engine.js';",
      "import type { ReadinessProbe } from '../../../runtime/readiness.js';",
    ].join('\n');
    expect(storeImports(listener, text)).toEqual([
      '../../../store/types.js',
      '../../../store/sqlite.js',
      '../../../store',
      '../../../store/index.js',
      '../../../store/postgres.js',
      '../../../engine/store-port/outbox.js',
    ]);
  });

  it('src loads no devDependency and nothing outside src: the production install (npm ci --omit=dev) runs it all', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: object };
    const dev = Object.keys(pkg.devDependencies);
    const offenders = sources(join(root, 'src')).flatMap((file) =>
      runtimeImports(file, readFileSync(file, 'utf8'), dev).map(
        (spec) => `${relative(root, file)} loads ${spec}`,
      ),
    );
    expect(offenders).toEqual([]);
    // Not vacuous: a value import of a devDependency, of a test file, a dynamic one; never a type-only import.
    const text = [
      "import { Ajv } from 'ajv';",
      "import { user } from '../../test/helpers/harness.js';",
      "const y = await import('yaml');",
      "import type { KnownBlock } from '@slack/types';",
      "import { z } from 'zod';",
    ].join('\n');
    expect(runtimeImports(join(root, 'src/demo/x.ts'), text, dev)).toEqual([
      'ajv',
      '../../test/helpers/harness.js',
      'yaml',
    ]);
  });

  it('the edge loads no code of the Slack provider (its Web API transport is src/http, shared with it)', () => {
    const files = EDGE.flatMap((folder) => sources(join(root, folder)));
    const offenders = files.flatMap((file) =>
      loadedSpecifiers(readFileSync(file, 'utf8'))
        .filter((spec) => /\/providers\/slack-admin\//.test(spec))
        .map((spec) => `${relative(root, file)} loads ${spec}`),
    );
    expect(offenders).toEqual([]);
    // Not vacuous: a value import is seen, a type-only one (the directory port's type) is not.
    const text = [
      "import { SlackApi } from '../providers/slack-admin/client.js';",
      "import type { SlackDirectory } from '../providers/slack-admin/directory.js';",
      "const m = await import('../providers/slack-admin/index.js');",
    ].join('\n');
    expect(loadedSpecifiers(text)).toEqual([
      '../providers/slack-admin/client.js',
      '../providers/slack-admin/index.js',
    ]);
  });

  it('the boundary check sees imports (it is not vacuous)', () => {
    const seen = imports(join(root, 'src/slack/app.ts'));
    expect(seen).toContain('@slack/bolt');
    const rule = (folder: string, why: RegExp) =>
      RULES.find((r) => r.folder === folder && why.test(r.why))?.forbidden ?? /$^/;
    const lanes = rule('src/engine', /lane/);
    expect(
      ['../providers/budget/index.js', '../../providers/budget'].filter((s) => lanes.test(s)),
    ).toHaveLength(2);
    expect(lanes.test('../providers/types.js')).toBe(false);
    const edge = rule('src/runtime', /Slack/);
    expect(['../slack/context.js', '../../slack/home/home-view.js'].filter((s) => edge.test(s))).toHaveLength(
      2,
    );
    expect(edge.test('../providers/slack-admin/directory.js')).toBe(false);
  });

  it('the import graph has no circle', () => {
    const files = sources(join(root, 'src'));
    expect(circles(graph(files))).toEqual([]);
  });

  it('the circle check finds one (it is not vacuous)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(circles(g)).toEqual([['a', 'b', 'c']]);
  });

  it('no import climbs: each room (docs/architecture.md, Layout) imports only rooms below it', () => {
    const g = graph(sources(join(root, 'src')));
    const floorOf = (file: string) =>
      FLOORS.findIndex((f) => f.some((r) => file === r || file.startsWith(`${r}/`)));
    const unplaced = [...g.keys()].filter((file) => floorOf(file) < 0);
    expect(unplaced).toEqual([]);
    const climbing = [...g].flatMap(([file, targets]) =>
      targets.filter((t) => floorOf(t) < floorOf(file)).map((t) => `${file} -> ${t}`),
    );
    expect(climbing).toEqual([]);
    // Not vacuous: the engine importing the store would climb.
    expect(floorOf('src/store/sql-store.ts')).toBeLessThan(floorOf('src/engine/runner.ts'));
  });

  it('the low modules import nothing above them, and only the composition roots import config.ts', () => {
    const files = sources(join(root, 'src'));
    const g = graph(files);
    const wrong: string[] = [];
    for (const [file, targets] of g) {
      const low = LOW.some((l) => file === l || file.startsWith(`${l}/`));
      for (const target of targets) {
        if (low && !LOW.some((l) => target === l || target.startsWith(`${l}/`)))
          wrong.push(`${file} -> ${target} (a low module reaches up)`);
        if (target === 'src/config.ts' && !ROOTS.some((r) => file === r || file.startsWith(`${r}/`)))
          wrong.push(`${file} -> src/config.ts (not a composition root)`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

/** The rooms from the top floor down, as docs/architecture.md's Layout table lists them. */
const FLOORS = [
  ['src/main.ts', 'src/application.ts', 'src/cli'],
  ['src/fakes'],
  ['src/slack', 'src/api'],
  ['src/signals', 'src/metrics'],
  ['src/runtime'],
  ['src/core.ts'],
  ['src/config', 'src/config.ts', 'src/startup'],
  ['src/evidence', 'src/signing'],
  ['src/store'],
  ['src/engine'],
  ['src/providers'],
  [
    'src/http',
    'src/errors.ts',
    'src/log.ts',
    'src/catalog.ts',
    'src/util',
    'src/version.ts',
    'src/dotenv-check.ts',
  ],
];

/** Modules at the bottom of the house: they import only each other (and packages). */
const LOW = ['src/catalog.ts', 'src/errors.ts', 'src/log.ts', 'src/util', 'src/version.ts'];

/** The composition roots (and the edges that carry the configuration to their parts). */
const ROOTS = [
  'src/main.ts',
  'src/application.ts',
  'src/core.ts',
  'src/cli',
  'src/startup',
  'src/config',
  'src/slack/context.ts',
];

/** Each source file (relative to the root) and the source files it imports. */
function graph(files: string[]): Map<string, string[]> {
  const known = new Set(files.map((f) => relative(root, f)));
  const g = new Map<string, string[]>();
  for (const file of files) {
    const from = relative(root, file);
    const targets = imports(file)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => relative(root, resolve(dirname(file), spec)).replace(/\.js$/, '.ts'))
      .map((t) => (known.has(t) ? t : known.has(`${t}/index.ts`) ? `${t}/index.ts` : t))
      .filter((t) => known.has(t));
    g.set(from, [...new Set(targets)]);
  }
  return g;
}

/** The strongly connected groups of more than one file (Tarjan), each sorted, sorted by first. */
function circles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      for (;;) {
        const w = stack.pop() as string;
        on.delete(w);
        group.push(w);
        if (w === v) break;
      }
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return found.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}
