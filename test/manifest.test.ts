import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const specDir = new URL('../../shared/specs/slack/manifest-schema/', import.meta.url);
interface Manifest {
  display_information?: unknown;
  features: { slash_commands: { command: string; should_escape?: boolean; url?: string }[] };
  oauth_config: { scopes: { bot: string[]; user: string[] } };
  settings: { interactivity: { is_enabled: boolean; request_url: string }; org_deploy_enabled: boolean };
}

const manifest = parse(readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8')) as Manifest;

function validator() {
  const ajv = new Ajv({ strict: false, allErrors: true, formats: { uri: true } });
  const v1 = JSON.parse(readFileSync(new URL('schemas/manifest.schema.1.0.0.json', specDir), 'utf8'));
  return ajv.compile(v1);
}

/** The bot scopes of every Web API method the app calls with the bot token. */
const SCOPES_THE_CODE_NEEDS = ['commands', 'chat:write', 'users:read', 'users:read.email', 'usergroups:read'];

describe('manifest.yml', () => {
  it("is valid against Slack's manifest JSON Schema", () => {
    const validate = validator();
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema rejects what it should (the validator is not vacuous)', () => {
    const validate = validator();
    const invalid = JSON.parse(readFileSync(new URL('tests/v1.manifest.invalid.json', specDir), 'utf8'));
    expect(validate(invalid)).toBe(false);
    expect(validate({ ...manifest, display_information: undefined })).toBe(false);
  });

  it('declares the command, escaping, interactivity and the scopes the code uses', () => {
    const command = manifest.features.slash_commands.find((c) => c.command === '/revoke-sessions');
    expect(command?.should_escape).toBe(true);
    expect(command?.url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual([...SCOPES_THE_CODE_NEEDS].sort());
    expect(manifest.oauth_config.scopes.user.sort()).toEqual(['admin.users:read', 'admin.users:write']);
    expect(manifest.settings.org_deploy_enabled).toBe(true);
  });
});
