import { SYSTEM_IDS } from '../providers/registry.js';
import { MAX_REASON_CHARS } from '../util/input-rules.js';

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
export { MAX_REASON_CHARS };

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'sessions',
    summary: "every configured system's sessions for a person",
    usage: 'revoke-sessions sessions <email|slack-user-id> [--no-slack] [--json]',
    args: { min: 1, max: 1, what: 'one email or Slack user ID' },
    options: ['no-slack'],
    details: `Looks the person up in every configured system (by the exact email) and lists their sessions.
Without Slack (--no-slack, or Slack cannot be reached) the email is looked up in each system
directly and Slack is reported as not asked. Exit 3 when some system could not be asked, 1 when none could.`,
  },
  {
    name: 'revoke',
    summary: 'end sessions now; asks first unless --yes',
    usage: `revoke-sessions revoke <email|slack-user-id>... --reason R\n      [--systems ${SYSTEM_IDS.join(',')}] [--no-slack] [--web-only | --mobile-only] [--dry-run] [--yes] [--json]`,
    args: { min: 1, max: 1_000, what: 'at least one email or Slack user ID' },
    options: ['reason', 'systems', 'no-slack', 'web-only', 'mobile-only', 'dry-run', 'yes'],
    details: `Previews each system, asks for confirmation (on a terminal; --yes skips it), then revokes at once:
no Slack approval is possible when Slack is down. Recorded in the audit log as the local OS user
with the reason (at least ${MIN_REASON_CHARS} characters besides spaces), and marked approval_bypassed.
When Slack cannot be reached (or with --no-slack), people are looked up by email in each system,
Slack is reported NOT DONE, and every other system goes on.
Progress goes to stderr: live per system on a terminal, a line every few seconds otherwise, one JSON
event per step with --json (stdout stays the result). Ctrl-C stops before the next vendor call and
leaves the request to resume (the app resumes it, or: revoke-sessions resume <id>).
Exit 0 done; 1 nothing done; 3 partly done (a system failed, needs attention or was not reached); 130 interrupted.`,
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
    name: 'evidence',
    summary: "a finished request's signed evidence",
    usage: 'revoke-sessions evidence <request-id> [--out FILE]',
    args: { min: 1, max: 1, what: 'one request ID' },
    options: ['out'],
    details:
      'One JSON document: the request, every decision, every step (attempts, vendor request ids, statuses,\nsessions, confirmations, watch results, time to contain) and its audit records with their chain hashes,\nsigned (RS256 JWS). Written to FILE, or printed. Exit 1 when the request is unknown or not finished.',
  },
  {
    name: 'evidence verify',
    summary: 'verify an evidence file offline',
    usage: 'revoke-sessions evidence verify <file> [--keys JWKS-FILE] [--json]',
    args: { min: 1, max: 1, what: 'one evidence file' },
    options: ['keys'],
    details:
      "Checks the signature (with --keys, only by a key of that JWK Set, e.g. the app's /evidence/jwks.json),\nevery field against what was signed, each audit record's chain hash, and that steps and decisions say\nwhat the audit log says. Needs no configuration. Exit 1 naming the first field that does not match.",
  },
  {
    name: 'status',
    summary: 'one request, system by system',
    usage: 'revoke-sessions status <request-id> [--json]',
    args: { min: 1, max: 1, what: 'one request ID' },
    options: [],
    details:
      'Steps grouped by system; for several people, each step names its person.\nExit 1 when there is no such request. A database that does not exist is an error.',
  },
  {
    name: 'resume',
    summary: 'finish a request left part-way (Ctrl-C, a stopped app)',
    usage: 'revoke-sessions resume <request-id> [--json]',
    args: { min: 1, max: 1, what: 'one request ID' },
    options: [],
    details: `Takes the request's lease over (at once when it was released; when its runner died, once the lease
lapses; while another runner works on it, waits for that runner) and runs what is left, with the same
progress and exit codes as revoke. A finished step is never repeated. A finished request is shown.`,
  },
  {
    name: 'demo',
    summary: 'see a revocation end to end, against local fakes of every system',
    usage: 'revoke-sessions demo [--slack [--port N]] [--keep] [--json]',
    args: { min: 0, max: 0, what: 'no arguments (or "sign")' },
    options: ['slack', 'port', 'keep'],
    details: `Starts a fake of every system on 127.0.0.1 (no account, no network; .env is not read), seeds
people and sessions, and walks one request through the real engine: preview, request, approval,
revocation, verification, audit verify. --slack then starts the Slack app against a fake Slack
(on --port, default 3000) and prints the curl lines that drive it, until Ctrl-C. --keep keeps the
temporary database. Exit 1 when a system did not end the sessions or the audit log did not verify.`,
  },
  {
    name: 'demo sign',
    summary: "sign a request body with the demo app's signing secret (used by demo --slack's curl lines)",
    usage: 'revoke-sessions demo sign <body>',
    args: { min: 1, max: 1, what: 'the request body, as curl sends it' },
    options: [],
    details: "Prints curl's -H options for Slack's signature headers, signed now with the demo's own secret.",
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

Exit codes: 0 success; 1 nothing was done (every system failed), a check failed, the store could not be
reached or the audit log is tampered; 2 bad usage or configuration (no system configured, DATABASE_URL
naming no database); 3 partly done (a system failed, needs attention or could not be reached, e.g. Slack);
130 interrupted (Ctrl-C; the request is left to resume).
The requester recorded in the audit log is the local OS user; revoke needs --reason.`;

/** `<command> --help`. */
export function commandHelp(spec: CommandSpec): string {
  return `Usage: ${spec.usage}\n\n${spec.summary[0]?.toUpperCase()}${spec.summary.slice(1)}.\n${spec.details}\n\nGlobal options: --json, --verbose, --help.`;
}

/** Finds the command a list of positionals names (`audit verify` before `audit`, `demo sign` before `demo`). */
export function findCommand(positionals: string[]): { spec: CommandSpec; args: string[] } | undefined {
  const [first, second] = positionals;
  const two = COMMANDS.find((c) => c.name === `${first} ${second}`);
  if (two) return { spec: two, args: positionals.slice(2) };
  const spec = COMMANDS.find((c) => c.name === first);
  return spec && { spec, args: positionals.slice(1) };
}
