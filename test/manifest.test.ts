import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHORTCUTS } from '../src/slack/listeners/shortcuts/index.js';
import { BOT_SCOPES } from '../src/slack/scopes.js';

const specDir = new URL('./contracts/slack/manifest-schema/', import.meta.url);
interface Manifest {
  display_information?: unknown;
  features: { slash_commands: { command: string; should_escape?: boolean; url?: string }[] };
  oauth_config: { scopes: { bot: string[]; user: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url: string };
    org_deploy_enabled: boolean;
    function_runtime?: string;
    event_subscriptions?: { bot_events: string[] };
  };
  functions?: Record<
    string,
    {
      input_parameters: { properties: Record<string, { type: string }>; required: string[] };
      output_parameters: { properties: Record<string, { type: string }>; required: string[] };
    }
  >;
}

const load = (file: string) =>
  parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8')) as Manifest;
const manifest = load('manifest.yml');
/** The Socket Mode manifest, generated from manifest.yml (npm run generate). */
const socket = load('manifest.socket.yml');

function validator() {
  const ajv = new Ajv({ strict: false, allErrors: true, formats: { uri: true } });
  // The manifest declares _metadata.major_version 2 (functions with properties/required, as Slack documents them).
  const v2 = JSON.parse(readFileSync(new URL('schemas/manifest.schema.2.0.0.json', specDir), 'utf8'));
  return ajv.compile(v2);
}

/** The bot scopes of every Web API method the app calls with the bot token. */
const SCOPES_THE_CODE_NEEDS: string[] = [...BOT_SCOPES];

describe('manifest.yml', () => {
  it.each([
    ['manifest.yml', manifest],
    ['manifest.socket.yml', socket],
  ])("%s is valid against Slack's manifest JSON Schema", (_file, m) => {
    const validate = validator();
    const ok = validate(m);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('manifest.socket.yml is the same app in Socket Mode: no request URL, socket mode on', () => {
    const settings = socket.settings as Manifest['settings'] & {
      socket_mode_enabled: boolean;
      event_subscriptions: { request_url?: string };
    };
    expect(settings.socket_mode_enabled).toBe(true);
    expect(socket.features.slash_commands[0]?.url).toBeUndefined();
    expect(settings.interactivity.request_url).toBeUndefined();
    expect(settings.event_subscriptions.request_url).toBeUndefined();
    // Everything else is the HTTP manifest's.
    const withoutUrls = structuredClone(manifest) as Manifest & { settings: Record<string, unknown> };
    delete withoutUrls.features.slash_commands[0]?.url;
    delete (withoutUrls.settings.interactivity as { request_url?: string }).request_url;
    delete (withoutUrls.settings.event_subscriptions as { request_url?: string }).request_url;
    withoutUrls.settings.socket_mode_enabled = true;
    expect(socket).toEqual(withoutUrls);
  });

  it('the schema rejects what it should (the validator is not vacuous)', () => {
    const validate = validator();
    const invalid = JSON.parse(readFileSync(new URL('tests/v2.manifest.invalid.json', specDir), 'utf8'));
    const valid = JSON.parse(readFileSync(new URL('tests/v2.manifest.valid.json', specDir), 'utf8'));
    expect(validate(valid)).toBe(true);
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

  it('declares the App Home with its event, and the shortcuts the code listens for', () => {
    const features = manifest.features as Manifest['features'] & {
      app_home?: { home_tab_enabled?: boolean };
      shortcuts?: { type: string; callback_id: string }[];
    };
    expect(features.app_home?.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions?.bot_events).toContain('app_home_opened');
    expect(features.shortcuts?.map((s) => [s.type, s.callback_id])).toEqual([
      ['global', SHORTCUTS.global],
      ['message', SHORTCUTS.message],
    ]);
  });

  it('declares the Workflow Builder step with its inputs and outputs, served remotely', () => {
    const step = manifest.functions?.revoke_user_sessions;
    expect(step?.input_parameters.properties.user_id?.type).toBe('slack#/types/user_id');
    expect(step?.input_parameters.required.sort()).toEqual(['reason', 'requested_by', 'user_id']);
    // The person who ran the workflow is the requester (checked against REVOKE_REQUESTERS; never the approver).
    expect(step?.input_parameters.properties.requested_by?.type).toBe('slack#/types/user_id');
    expect(Object.keys(step?.output_parameters.properties ?? {}).sort()).toEqual([
      'failed_systems',
      'request_id',
      'revoked_systems',
      'succeeded',
      'summary',
    ]);
    expect(manifest.settings.function_runtime).toBe('remote');
    expect(manifest.settings.event_subscriptions?.bot_events).toContain('function_executed');
  });
});
