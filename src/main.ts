import { existsSync, readFileSync } from 'node:fs';
import { config as loadDotenv } from 'dotenv';
import { type Application, buildApplication } from './application.js';
import { enableAnySystem } from './config/systems.js';
import { ConfigError, loadConfig, secretsOf } from './config.js';
import { dotenvCutOffs } from './dotenv-check.js';
import { Redactor } from './log.js';
import { StartupError } from './startup/errors.js';
import { VERSION } from './version.js';

/** Said at start when no system is configured: the app runs, but every request would end nothing. */
const NO_SYSTEM_WARNING = `No system is configured, so no request can end any session. Set the variables of at least one system: ${enableAnySystem()} (see .env.example).`;

/** Writes one start-up failure to stderr (scrubbed, no stack) and exits non-zero. */
function fail(text: string, code: number, redactor: Redactor = new Redactor()): never {
  process.stderr.write(`${redactor.redact(text)}\n`);
  process.exit(code);
}

/**
 * Starts the Slack app from the environment (and `.env`). Signal handlers are
 * installed before anything connects, so SIGTERM while waiting for Slack or
 * the database still stops gracefully; every start-up failure names the
 * variable to fix and exits non-zero.
 */
async function main(): Promise<void> {
  const dotenvText = existsSync('.env') ? readFileSync('.env', 'utf8') : '';
  loadDotenv({ quiet: true });
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, { dotenvCutOffs: dotenvCutOffs(dotenvText, process.env) });
  } catch (error) {
    if (error instanceof ConfigError) {
      fail(`revoke-sessions cannot start.\n${error.message}\nSee .env.example and docs/configuration.md.`, 2);
    }
    throw error;
  }
  const redactor = new Redactor(secretsOf(config));
  let app: Application | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!app) process.exit(0); // still opening the store: nothing has started yet
    const grace = app.config.shutdownGraceMs / 1000;
    app.logger.info(
      `${signal}: stopping — no new work; running work has up to ${grace} s (SHUTDOWN_GRACE_SECONDS) to finish, then its leases are released`,
    );
    app.stop().then(
      ({ stopped, handedOver }) => {
        const left = [...new Set([...stopped, ...handedOver])];
        if (left.length > 0)
          app?.logger.warn(
            `stopped before ${left.length} run(s) finished (${left.join(', ')}): their leases are released, so another replica or the next start resumes them at once`,
          );
        else app?.logger.info('stopped: all running work finished');
        process.exit(0);
      },
      (error: unknown) => {
        app?.logger.error('shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Last line of defence: never let Node print a raw error object (it can hold request headers and tokens).
  process.on('unhandledRejection', (reason) => {
    const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
    if (app) app.logger.error('unhandled rejection:', text);
    else process.stderr.write(`${redactor.redact(`unhandled rejection: ${text}`)}\n`);
  });
  process.on('uncaughtException', (error) => {
    const text = `uncaught exception, stopping: ${error.name}: ${error.message}`;
    if (app) app.logger.error(text);
    else process.stderr.write(`${redactor.redact(text)}\n`);
    process.exit(1);
  });
  try {
    app = await buildApplication(config);
    if (stopping) return;
    const server = await app.start();
    const address = server?.address();
    const port = address && typeof address === 'object' ? address.port : config.port;
    app.logger.info(
      `revoke-sessions ${VERSION} listening (${config.mode === 'socket' ? 'Socket Mode; connecting to Slack in the background' : 'HTTP'}) on port ${port}; systems: ${
        app.deps.systems.map((s) => s.label).join(', ') || 'none'
      }; store: ${config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl : 'postgres'}`,
    );
    if (app.deps.systems.length === 0) app.logger.warn(NO_SYSTEM_WARNING);
  } catch (error) {
    if (error instanceof StartupError) fail(`revoke-sessions cannot start: ${error.message}`, 1, redactor);
    fail(
      `revoke-sessions failed to start: ${error instanceof Error ? error.message : String(error)}`,
      1,
      redactor,
    );
  }
}

main().catch((error: unknown) => {
  fail(`revoke-sessions failed to start: ${error instanceof Error ? error.message : String(error)}`, 1);
});
