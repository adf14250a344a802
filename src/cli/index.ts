import { parseArgs } from 'node:util';
import { ConfigError, SYSTEM_IDS, type SystemId } from '../config.js';
import { asRevokeError } from '../errors.js';
import { auditCommand, auditVerifyCommand, statusCommand } from './commands/audit.js';
import { doctorCommand } from './commands/doctor.js';
import { askOnTerminal, revokeCommand } from './commands/revoke.js';
import { sessionsCommand } from './commands/sessions.js';
import { createCliContext } from './context.js';
import { type Io, processIo } from './output.js';

export const USAGE = `revoke-sessions — the break-glass CLI (same .env, store and audit log as the Slack app)

Usage:
  revoke-sessions sessions <email|slack-user-id>        every system's sessions for a person
  revoke-sessions revoke <email|slack-user-id>... --reason R
        [--systems slack,box,mattermost,huawei] [--web-only | --mobile-only] [--dry-run] [--yes]
                                                        end sessions now; asks first unless --yes
  revoke-sessions doctor                                check config, credentials and reachability
  revoke-sessions audit [--user U] [--since DATE]       the audit log, oldest first
  revoke-sessions audit verify [--anchor SEQ:HASH]      verify the audit log's hash chain (and that an
                                                        anchor noted earlier is still in it: no truncation)
  revoke-sessions status <request-id>                   one request, system by system

Options:
  --json      machine-readable output on stdout
  --verbose   log HTTP retries and details to stderr
  --help      this text

Exit codes: 0 success; 1 a system failed, a check failed or the audit log is tampered; 2 bad usage or configuration.
The requester recorded in the audit log is the local OS user; revoke needs --reason.`;

/** Runs one CLI invocation; returns the exit code. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: Io = processIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  const json = values.json === true;
  let systems: SystemId[] | undefined;
  if (values.systems !== undefined) {
    const names = values.systems
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    const bad = names.filter((n) => !(SYSTEM_IDS as readonly string[]).includes(n));
    if (bad.length > 0 || names.length === 0) {
      io.err(`--systems takes a comma list of ${SYSTEM_IDS.join(', ')}; not: ${bad.join(', ') || '(empty)'}`);
      return 2;
    }
    systems = names as SystemId[];
  }
  if (values['web-only'] && values['mobile-only']) {
    io.err('--web-only and --mobile-only exclude each other.');
    return 2;
  }
  const needs = (n: number, what: string) => {
    if (rest.length < n) throw new UsageError(`${command} needs ${what}.`);
  };

  let ctx: Awaited<ReturnType<typeof createCliContext>> | undefined;
  try {
    if (!['sessions', 'revoke', 'doctor', 'audit', 'status'].includes(command))
      throw new UsageError(`Unknown command "${command}".`);
    if (command === 'sessions' || command === 'status')
      needs(1, command === 'status' ? 'a request ID' : 'an email or Slack user ID');
    if (command === 'revoke') needs(1, 'at least one email or Slack user ID');
    ctx = await createCliContext(env, values.verbose === true);
    switch (command) {
      case 'sessions':
        return await sessionsCommand(ctx, io, rest[0] ?? '', json);
      case 'revoke':
        return await revokeCommand(ctx, io, {
          targets: rest,
          reason: values.reason ?? '',
          systems,
          scope: values['web-only'] ? 'web' : values['mobile-only'] ? 'mobile' : 'all',
          dryRun: values['dry-run'] === true,
          yes: values.yes === true,
          json,
          confirm: process.stdin.isTTY ? askOnTerminal : undefined,
        });
      case 'doctor':
        return await doctorCommand(ctx, io, json);
      case 'audit':
        return rest[0] === 'verify'
          ? await auditVerifyCommand(ctx, io, json, values.anchor)
          : await auditCommand(ctx, io, { user: values.user, since: values.since, json });
      default:
        return await statusCommand(ctx, io, rest[0] ?? '', json);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.err(`${error.message}\nSee .env.example and the README's configuration section.`);
      return 2;
    }
    io.err(`Error: ${asRevokeError(error).message}`);
    return 1;
  } finally {
    await ctx?.close();
  }
}

class UsageError extends Error {}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      reason: { type: 'string' },
      systems: { type: 'string' },
      'web-only': { type: 'boolean' },
      'mobile-only': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      json: { type: 'boolean' },
      user: { type: 'string' },
      since: { type: 'string' },
      anchor: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
