import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatedFiles } from '../../scripts/generate.js';
import { systemDocSource } from '../../scripts/system-docs.js';
import { COMMANDS } from '../../src/cli/usage.js';
import { renderEnvExample } from '../../src/config/env-example.js';
import { enableAnySystem } from '../../src/config/systems.js';
import {
  SYSTEM_IDS as CONFIG_SYSTEM_IDS,
  ConfigError,
  enabledSystems,
  loadConfig,
} from '../../src/config.js';
import { SYSTEM_IDS, SYSTEMS } from '../../src/providers/registry.js';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

/** `KEY=` lines of .env.example, by the section header (`# --- … ---`) they stand under. */
function envExample(): Map<string, string> {
  const sections = new Map<string, string>();
  let section = '';
  for (const line of read('../../.env.example').split('\n')) {
    const header = /^# --- (.+) ---$/.exec(line);
    if (header?.[1]) section = header[1];
    const variable = /^([A-Z][A-Z0-9_]*)=/.exec(line);
    if (variable?.[1]) sections.set(variable[1], section);
  }
  return sections;
}

describe('the system registry', () => {
  it('has unique ids, labels and variables, and config exports the same ids', () => {
    expect(new Set(SYSTEM_IDS).size).toBe(SYSTEMS.length);
    expect(new Set(SYSTEMS.map((s) => s.label)).size).toBe(SYSTEMS.length);
    const vars = SYSTEMS.flatMap((s) => Object.keys(s.env));
    expect(new Set(vars).size).toBe(vars.length);
    expect(CONFIG_SYSTEM_IDS).toEqual(SYSTEM_IDS);
  });

  it.each(
    SYSTEMS.map((s) => [s.id, s] as const),
  )('%s: its secret variables are its own variables', (_id, s) => {
    expect(s.secretVars.length).toBeGreaterThan(0);
    for (const name of s.secretVars) expect(Object.keys(s.env)).toContain(name);
  });

  it('the OpenAPI systems enum is the registry, in order', () => {
    const spec = parse(read('../../docs/openapi.yaml')) as {
      components: {
        schemas: { NewRevocationRequest: { properties: { systems: { items: { enum: string[] } } } } };
      };
    };
    expect(spec.components.schemas.NewRevocationRequest.properties.systems.items.enum).toEqual([
      ...SYSTEM_IDS,
    ]);
  });

  it.each(
    SYSTEMS.map((s) => [s.id, s] as const),
  )('%s: every variable is in .env.example, in one section of its own', (_id, s) => {
    const example = envExample();
    const own = Object.keys(s.env);
    for (const name of own) expect(example.has(name), `${name} in .env.example`).toBe(true);
    const sections = new Set(own.map((name) => example.get(name)));
    expect(sections.size).toBe(1);
    // No other system's variable stands in that section.
    const others = SYSTEMS.filter((o) => o.id !== s.id).flatMap((o) => Object.keys(o.env));
    for (const name of others) expect(sections.has(example.get(name))).toBe(false);
  });

  it.each(
    generatedFiles((path) => read(`../../${path}`)).map((f) => [f.path, f.content]),
  )('%s is what the registry generates (npm run generate)', (path, content) => {
    expect(read(`../../${path}`) === content, `${path} is out of date: run npm run generate`).toBe(true);
  });

  it.each(
    SYSTEMS.map((s) => [s.id, s] as const),
  )('%s: its page in docs/systems/ is made from its descriptor and its own text', (id, s) => {
    const files = generatedFiles((path) => read(`../../${path}`));
    const page = files.find((f) => f.path === `docs/systems/${id}.md`)?.content ?? '';
    expect(page).toContain(`# ${s.product ?? s.label}`);
    expect(page).toContain(`\`${id}\``);
    for (const name of Object.keys(s.env)) expect(page).toContain(name);
    // An edit of the system's own text changes the page, so a page left stale fails the test above.
    const edited = generatedFiles((path) =>
      /^src\/providers\/[^/]+\/[^/]+\.md$/.test(path)
        ? `${read(`../../${path}`)}\nAn added sentence.\n`
        : read(`../../${path}`),
    ).find((f) => f.path === `docs/systems/${id}.md`)?.content;
    expect(edited).toContain('An added sentence.');
    expect(edited).not.toBe(page);
  });

  it('a system without its text (src/providers/<folder>/<id>.md) is named, not skipped', () => {
    expect(() => systemDocSource('acme', ['acme', 'okta'], () => false)).toThrow(
      'acme: expected one src/providers/<folder>/acme.md',
    );
  });

  it('the generated texts name every system (the manifest, package.json and the README)', () => {
    const manifest = parse(read('../../manifest.yml')) as {
      display_information: { long_description: string };
      features: { slash_commands: { description: string }[] };
    };
    const pkg = JSON.parse(read('../../package.json')) as { description: string };
    for (const s of SYSTEMS) {
      expect(manifest.display_information.long_description).toContain('product' in s ? s.product : s.label);
      expect(manifest.features.slash_commands[0]?.description).toContain(s.label);
      expect(pkg.description).toContain(s.label);
      expect(read('../../README.md')).toContain(`](docs/systems/${s.id}.md)`);
    }
    expect(renderEnvExample()).toBe(read('../../.env.example'));
  });

  it('.env.example as it stands configures no system by half: with the Slack basics it loads', () => {
    const env = Object.fromEntries(
      read('../../.env.example')
        .split('\n')
        .flatMap((line) => {
          const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
          return m?.[1] ? [[m[1], m[2] ?? '']] : [];
        }),
    );
    const config = loadConfig({
      ...env,
      SLACK_BOT_TOKEN: 'xoxb-test-bot-token-made-up-not-real',
      SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef',
      REVOKE_REQUESTERS: 'U0123ABCD',
    });
    expect(enabledSystems(config)).toEqual([]);
  });

  it('CLI usage lists the registry ids for --systems', () => {
    const revoke = COMMANDS.find((c) => c.name === 'revoke');
    expect(revoke?.usage).toContain(`--systems ${SYSTEM_IDS.join(',')}`);
  });

  it('names every way to turn a system on', () => {
    const text = enableAnySystem();
    for (const s of SYSTEMS) expect(text).toContain(s.enableWith);
  });

  it.each(
    SYSTEMS.map((s) => [s.id, s] as const),
  )('%s: one of its secret variables cut at a # in .env is refused by name', (_id, s) => {
    const name = s.secretVars[0] ?? '';
    const error = (() => {
      try {
        loadConfig({}, { requireSlack: false, dotenvCutOffs: new Map([[name, 'cut']]) });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.some((p) => p.startsWith(`${name} looks cut off in .env`))).toBe(
      true,
    );
  });

  it('with no variables set, no system is enabled', () => {
    expect(enabledSystems(loadConfig({}, { requireSlack: false }))).toEqual([]);
  });
});
