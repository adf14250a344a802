import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { enableAnySystem } from '../config/systems.js';
import { ConfigError, SYSTEM_IDS, type SystemId } from '../config.js';
import { asRevokeError } from '../errors.js';
import { StoreAccessError } from '../store/access/errors.js';
import { auditCommand, auditVerifyCommand } from './commands/audit-log.js';
import { demoCommand, demoSignCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { evidenceCommand, evidenceVerifyCommand } from './commands/evidence.js';
import { resumeCommand } from './commands/resume.js';
import { askOnTerminal, revokeCommand } from './commands/revoke.js';
import { sessionsCommand } from './commands/sessions.js';
import { statusCommand } from './commands/status.js';
import {
  type CliBase,
  type CliContext,
  configuredSystems,
  createCliBase,
  personRefProblem,
  withStore,
} from './context.js';
import { EXIT } from './exit-codes.js';
import { type Io, processIo, safe } from './output.js';
import { type CommandSpec, commandHelp, findCommand, GLOBAL_OPTIONS, USAGE } from './usage.js';

export { USAGE } from './usage.js';

/** Wrong arguments or options: exit 2 with the command's usage. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly spec?: CommandSpec,
  ) {
    super(message);
  }
}

/** No system is configured: nothing to check, list or revoke. */
const NO_SYSTEM = `No system is configured, so there is nothing to check, list or revoke.
Set the variables of at least one system: ${enableAnySystem()}. See .env.example and the README.`;

/** The package version, from package.json (two folders up from src/cli and from dist/cli alike). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

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
      'no-slack': { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      json: { type: 'boolean' },
      user: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      action: { type: 'string' },
      csv: { type: 'boolean' },
      anchor: { type: 'string' },
      slack: { type: 'boolean' },
      port: { type: 'string' },
      keep: { type: 'boolean' },
      out: { type: 'string' },
      keys: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
  });
}
type Values = ReturnType<typeof parse>['values'];

function parseSystems(value: string | undefined): SystemId[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = names.filter((n) => !(SYSTEM_IDS as readonly string[]).includes(n));
  if (bad.length > 0 || names.length === 0)
    throw new UsageError(
      `--systems takes a comma list of ${SYSTEM_IDS.join(', ')}; not: ${safe(bad.join(', ')) || '(empty)'}`,
    );
  return [...new Set(names)] as SystemId[];
}

/** Checks the options and argument count against the command's entry in the table. */
function checkUsage(spec: CommandSpec, args: string[], values: Values): void {
  const allowed = new Set<string>([...GLOBAL_OPTIONS, ...spec.options]);
  const extra = Object.keys(values).filter((k) => !allowed.has(k));
  if (extra.length > 0)
    throw new UsageError(
      `${spec.name} does not take ${extra.map((k) => `--${k}`).join(', ')}${extra.includes('version') ? ' (--version stands alone)' : ''}.`,
      spec,
    );
  if (args.length < spec.args.min) throw new UsageError(`${spec.name} needs ${spec.args.what}.`, spec);
  if (args.length > spec.args.max)
    throw new UsageError(
      `${spec.name} takes ${spec.args.what}; unexpected: ${args
        .slice(spec.args.max)
        .map((a) => `"${safe(a)}"`)
        .join(' ')}.`,
      spec,
    );
  if (spec.name === 'sessions' || spec.name === 'revoke') {
    const bad = args.map(personRefProblem).find((p) => p !== undefined);
    if (bad) throw new UsageError(bad, spec);
  }
  if (values['web-only'] && values['mobile-only'])
    throw new UsageError('--web-only and --mobile-only exclude each other.', spec);
  if (values['no-slack'] && parseSystems(values.systems)?.includes('slack'))
    throw new UsageError('--no-slack and --systems slack exclude each other.', spec);
}

/** The configuration is valid but cannot serve the command: exit 2 with the message alone. */
class SetupError extends Error {}

function requireSystems(base: CliBase): void {
  if (configuredSystems(base).length === 0) throw new SetupError(NO_SYSTEM);
}

/** Resolves on the first Ctrl-C or SIGTERM (and keeps either from killing the process meanwhile). */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** Runs one CLI invocation; returns the exit code. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: Io = processIo): Promise<number> {
  let ctx: CliContext | undefined;
  let spec: CommandSpec | undefined;
  try {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(argv);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.version) {
      if (positionals.length > 0 || Object.keys(values).length > 1)
        throw new UsageError('--version stands alone: revoke-sessions --version');
      io.out(version());
      return 0;
    }
    if (positionals.length === 0) {
      (values.help ? io.out : io.err)(USAGE);
      return values.help ? 0 : 2;
    }
    const found = findCommand(positionals);
    if (!found) throw new UsageError(`Unknown command "${safe(positionals[0])}".`);
    spec = found.spec;
    const { args } = found;
    if (values.help) {
      io.out(commandHelp(spec));
      return 0;
    }
    checkUsage(spec, args, values);
    const json = values.json === true;
    switch (spec.name) {
      case 'help': {
        if (args.length === 0) {
          io.out(USAGE);
          return 0;
        }
        const about = findCommand(args);
        if (!about || about.args.length > 0)
          throw new UsageError(`help: no command "${safe(args.join(' '))}".`, spec);
        io.out(commandHelp(about.spec));
        return 0;
      }
      case 'sessions': {
        const base = createCliBase(env, values.verbose === true, json);
        requireSystems(base);
        return await sessionsCommand(base, io, args[0] ?? '', { json, noSlack: values['no-slack'] === true });
      }
      case 'revoke': {
        const systems = parseSystems(values.systems);
        const base = createCliBase(env, values.verbose === true, json);
        requireSystems(base);
        return await revokeCommand(base, io, {
          targets: args,
          reason: values.reason,
          systems,
          scope: values['web-only'] ? 'web' : values['mobile-only'] ? 'mobile' : 'all',
          dryRun: values['dry-run'] === true,
          noSlack: values['no-slack'] === true,
          yes: values.yes === true,
          json,
          confirm: process.stdin.isTTY ? askOnTerminal : undefined,
          openStore: async () => {
            ctx = await withStore(base, 'create');
            return ctx;
          },
        });
      }
      case 'demo': {
        const port = values.port === undefined ? 3000 : Number(values.port);
        if (values.port !== undefined && !(/^\d{1,5}$/.test(values.port) && port <= 65535))
          throw new UsageError('--port takes a TCP port number from 0 to 65535.', spec);
        if (values.port !== undefined && !values.slack)
          throw new UsageError('--port goes with --slack.', spec);
        return await demoCommand(io, {
          slack: values.slack === true,
          port,
          keep: values.keep === true,
          json,
          verbose: values.verbose === true,
          stopped: untilInterrupted,
        });
      }
      case 'demo sign':
        return demoSignCommand(io, args[0] ?? '');
      case 'doctor':
        // Builds its own checks: every failure, the configuration's included, is one FAIL line.
        return await doctorCommand(env, io, json, values.verbose === true);
      case 'evidence verify':
        // Offline: no configuration, no database.
        return await evidenceVerifyCommand(io, args[0] ?? '', json, values.keys);
      case 'evidence': {
        ctx = await withStore(createCliBase(env, values.verbose === true, json), 'existing');
        return await evidenceCommand(ctx, io, args[0] ?? '', values.out);
      }
      case 'audit':
      case 'audit verify':
      case 'status':
      case 'resume': {
        ctx = await withStore(createCliBase(env, values.verbose === true, json), 'existing');
        if (spec.name === 'status') return await statusCommand(ctx, io, args[0] ?? '', json);
        if (spec.name === 'resume') return await resumeCommand(ctx, io, args[0] ?? '', json);
        if (spec.name === 'audit verify') return await auditVerifyCommand(ctx, io, json, values.anchor);
        return await auditCommand(ctx, io, {
          user: values.user,
          since: values.since,
          until: values.until,
          action: values.action,
          csv: values.csv === true,
          json,
        });
      }
      default:
        throw new UsageError(`Unknown command "${safe(spec.name)}".`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${error.spec ? commandHelp(error.spec) : USAGE}`);
      return 2;
    }
    if (error instanceof SetupError) {
      io.err(error.message);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.err(`${error.message}\nSee .env.example and docs/configuration.md.`);
      return 2;
    }
    if (error instanceof StoreAccessError) {
      io.err(`Error: ${error.message}`);
      return error.kind === 'configuration' ? EXIT.usage : EXIT.failed;
    }
    io.err(`Error: ${asRevokeError(error).message}`);
    return 1;
  } finally {
    await ctx?.close();
  }
}
