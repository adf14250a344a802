import { SYSTEM_IDS } from '../providers/registry.js';

/** One CLI command: what it takes, and its help text. */
export interface CommandSpec {
  /** As typed: `audit verify` is its own command. */
  name: string;
  summary: string;
  usage: string;
  /** Positional arguments after the command name. */
  args: { min: number; max: number; what: string };
  /** Options this command accepts besides the global ones. */
  options: readonly string[];
  /** Details shown by `<command> --help`. */
  details: string;
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS = ['json', 'verbose', 'help'] as const;

/** The fewest non-space characters a reason may have (the audit log needs a real one). */
export const MIN_REASON_CHARS = 3;
/** The longest reason, as in the Slack form. */
export const MAX_REASON_CHARS = 1_000;

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'sessions',
    summary: "every configured system's sessions for a person",
    usage: 'revoke-sessions sessions <email|slack-user-id> [--json]',
    args: { min: 1, max: 1, what: 'one email or Slack user ID' },
    options: [],
    details:
      'Looks the person up in every configured system (by the exact email) and lists their sessions.\nExit 1 when a system could not be asked.',
  },
  {
    name: 'revoke',
    summary: 'end sessions now; asks first unless --yes',
    usage: `revoke-sessions revoke <email|slack-user-id>... --reason R\n      [--systems ${SYSTEM_IDS.join(',')}] [--web-only | --mobile-only] [--dry-run] [--yes] [--json]`,
    args: { min: 1, max: 1_000, what: 'at least one email or Slack user ID' },
    options: ['reason', 'systems', 'web-only', 'mobile-only', 'dry-run', 'yes'],
    details: `Previews each system, asks for confirmation (on a terminal; --yes skips it), then revokes at once:
no Slack approval is possible when Slack is down. Recorded in the audit log as the local OS user
with the reason (at least ${MIN_REASON_CHARS} characters besides spaces), and marked approval_bypassed.
Exit 1 when any system failed or needs attention.`,
  },
  {
    name: 'doctor',
    summary: 'check config, store, credentials and reachability',
    usage: 'revoke-sessions doctor [--json]',
    args: { min: 0, max: 0, what: 'no arguments' },
    options: [],
    details:
      'One PASS/FAIL line per check (one JSON document with --json). Exit 1 when a check failed,\n2 when the configuration is invalid or no system is configured. Creates nothing.',
  },
  {
    name: 'audit',
    summary: 'the audit log, oldest first; filtered, or exported as CSV',
    usage: 'revoke-sessions audit [--user U] [--since DATE] [--until DATE] [--action A[,B]] [--csv | --json]',
    args: { min: 0, max: 0, what: 'no arguments (or "verify")' },
    options: ['user', 'since', 'until', 'action', 'csv'],
    details: `--user: every record of the requests that named the person (as a target or the requester),
what they did, and the previews of their sessions; a Slack user ID (U…), an email, an actor as the
log writes it (slack:U…, cli:NAME, api:…), or an OS user name of the CLI. --since is inclusive,
--until exclusive (a date alone includes that whole day, UTC). --action takes audit actions
(request_created, step_finished, …). --csv: RFC 4180, with a header; a field starting with = + - @
gets a leading apostrophe so no spreadsheet runs it as a formula. --json: one JSON array.
The log is read page by page: any size, constant memory. Reads the database named by DATABASE_URL;
a database that does not exist is an error (nothing is created).`,
  },
  {
    name: 'audit verify',
    summary: "verify the audit log's hash chain (and an anchor noted earlier)",
    usage: 'revoke-sessions audit verify [--anchor SEQ:HASH] [--json]',
    args: { min: 0, max: 0, what: 'no arguments' },
    options: ['anchor'],
    details:
      "Recomputes every record's hash, streaming the log by sequence (constant memory). Prints the head (SEQ:HASH): note it somewhere the database's owner\ncannot reach; a later run with --anchor fails if that record is gone or changed (records cut off).\nExit 1 when tampered. A database that does not exist is an error (nothing is created).",
  },
  {
    name: 'status',
    summary: 'one request, system by system',
    usage: 'revoke-sessions status <request-id> [--json]',
    args: { min: 1, max: 1, what: 'one request ID' },
    options: [],
    details: 'Exit 1 when there is no such request. A database that does not exist is an error.',
  },
  {
    name: 'help',
    summary: 'this text, or one command’s',
    usage: 'revoke-sessions help [command]',
    args: { min: 0, max: 2, what: 'at most a command name' },
    options: [],
    details: 'Same as --help.',
  },
];

/** The top-level help. */
export const USAGE = `revoke-sessions — the break-glass CLI (same .env, store and audit log as the Slack app)

Usage:
${COMMANDS.map((c) => `  ${c.usage.split('\n')[0]?.replace(/ \[--json\]$/, '')}\n        ${c.summary}`).join('\n')}

Options:
  --json      machine-readable output on stdout
  --verbose   log HTTP retries and details to stderr
  --help      this text; after a command, that command's help
  --version   the version

Exit codes: 0 success; 1 a system failed, a check failed, the store could not be reached or the audit log
is tampered; 2 bad usage or configuration (no system configured, DATABASE_URL naming no database).
The requester recorded in the audit log is the local OS user; revoke needs --reason.`;

/** `<command> --help`. */
export function commandHelp(spec: CommandSpec): string {
  return `Usage: ${spec.usage}\n\n${spec.summary[0]?.toUpperCase()}${spec.summary.slice(1)}.\n${spec.details}\n\nGlobal options: --json, --verbose, --help.`;
}

/** Finds the command a list of positionals names (`audit verify` before `audit`). */
export function findCommand(positionals: string[]): { spec: CommandSpec; args: string[] } | undefined {
  const [first, second, ...rest] = positionals;
  if (first === 'audit' && second === 'verify') {
    const spec = COMMANDS.find((c) => c.name === 'audit verify');
    return spec && { spec, args: rest };
  }
  const spec = COMMANDS.find((c) => c.name === first);
  return spec && { spec, args: positionals.slice(1) };
}
