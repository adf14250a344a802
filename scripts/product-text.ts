/**
 * The product's texts that name its systems, made from the registry (`npm run generate` writes
 * them; a test fails while a file differs): the Slack app manifests, the package description,
 * and the marked passages of README.md, SECURITY.md and docs/operations.md.
 */
import { isMap, isNode, isSeq, parseDocument, Scalar } from 'yaml';
import { systemLabelsInProse, systemProductsInProse } from '../src/providers/catalog-text.js';
import { SYSTEM_IDS } from '../src/providers/registry.js';
import { systemDocsList } from './system-docs.js';

const YAML_OPTIONS = { lineWidth: 120 } as const;

/** A folded block scalar (`>-`), as the manifest writes its long texts. */
function folded(text: string): Scalar {
  const node = new Scalar(text);
  node.type = 'BLOCK_FOLDED';
  return node;
}

/** `manifest.yml` (HTTP mode) with the texts that list the systems set from the registry. */
export function httpManifest(yaml: string): string {
  const doc = parseDocument(yaml);
  doc.setIn(
    ['display_information', 'long_description'],
    folded(
      `revoke-sessions lets security and IT admins end a person's login sessions in ${systemProductsInProse()} from one command, with a preview of the sessions first, an optional second-person approval, a tamper-evident audit log, and the results posted as a thread with one reply per system.`,
    ),
  );
  const commands = doc.getIn(['features', 'slash_commands']);
  if (!isSeq(commands) || !isMap(commands.items[0])) throw new Error('manifest.yml: no slash command');
  doc.setIn(
    ['features', 'slash_commands', 0, 'description'],
    `End a person's sessions in ${systemLabelsInProse()}`,
  );
  doc.setIn(
    ['functions', 'revoke_user_sessions', 'input_parameters', 'properties', 'systems', 'description'],
    `Any of ${SYSTEM_IDS.join(', ')}; all configured systems when empty`,
  );
  return doc.toString(YAML_OPTIONS);
}

/** The URLs Slack posts to in HTTP mode; Socket Mode has none. */
const REQUEST_URLS = [
  ['features', 'slash_commands', 0, 'url'],
  ['settings', 'event_subscriptions', 'request_url'],
  ['settings', 'interactivity', 'request_url'],
];

/** `manifest.socket.yml`: the HTTP manifest for Socket Mode (no request URLs, socket mode on). */
export function socketManifest(httpYaml: string): string {
  const doc = parseDocument(httpYaml);
  for (const path of REQUEST_URLS) {
    if (!doc.hasIn(path)) throw new Error(`manifest.yml: ${path.join('.')} is missing`);
    doc.deleteIn(path);
  }
  doc.setIn(['settings', 'socket_mode_enabled'], true);
  // The HTTP manifest's opening comment (about its URLs) gives way to this one.
  if (isMap(doc.contents)) {
    doc.contents.commentBefore = null;
    const first = doc.contents.items[0]?.key;
    if (isNode(first)) first.commentBefore = null;
  }
  doc.commentBefore = [
    ' Socket Mode (SLACK_APP_TOKEN): the app connects out to Slack, so it needs no public host.',
    ' Paste into https://api.slack.com/apps → "Create New App" → "From an app manifest", then create an',
    ' App-Level Token with connections:write for SLACK_APP_TOKEN.',
    ' Generated from manifest.yml by `npm run generate`: edit that one.',
  ].join('\n');
  return doc.toString(YAML_OPTIONS);
}

/** package.json with its description naming the systems by their products' names. */
export function withPackageDescription(json: string): string {
  const pkg = JSON.parse(json) as Record<string, unknown>;
  pkg.description = `Slack app and break-glass CLI that end a person's login sessions (or many people's) in ${systemProductsInProse()} at once: a preview first, an optional second-person approval, a hash-chained audit log.`;
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * `text` between the markers `<!-- generated:KEY -->` and `<!-- /generated:KEY -->` of a Markdown
 * file (invisible when rendered). Throws when the markers are missing.
 */
export function withMarkedText(markdown: string, key: string, text: string): string {
  const marked = new RegExp(`(<!-- generated:${key} -->)[\\s\\S]*?(<!-- /generated:${key} -->)`, 'g');
  if (!marked.test(markdown)) throw new Error(`the markers of "${key}" are missing`);
  return markdown.replace(marked, (_m, open: string, close: string) => `${open}${text}${close}`);
}

/** README.md: the systems in its opening paragraph and the list of their pages. */
export function readmeText(markdown: string): string {
  const withIntro = withMarkedText(markdown, 'systems', systemProductsInProse());
  return withMarkedText(withIntro, 'system-docs', systemDocsList());
}

/** docs/operations.md: the label values of the vendor metrics. */
export function operationsText(markdown: string): string {
  return withMarkedText(markdown, 'system-ids', SYSTEM_IDS.map((id) => `\`${id}\``).join(', '));
}

/** SECURITY.md: whose admin credentials the app holds. */
export function securityText(markdown: string): string {
  return withMarkedText(markdown, 'systems', systemLabelsInProse());
}
