import { config as loadDotenv } from 'dotenv';
import { buildApplication } from './application.js';
import { ConfigError, loadConfig } from './config.js';

/** Starts the Slack app from the environment (and `.env`); exits non-zero with one clear message on bad config. */
async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `revoke-sessions cannot start.\n${error.message}\nSee .env.example and the README's configuration section.\n`,
      );
      process.exit(2);
    }
    throw error;
  }
  const app = await buildApplication(config);
  // Last line of defence: never let Node print a raw error object (it can hold request headers and tokens).
  process.on('unhandledRejection', (reason) => {
    app.logger.error(
      'unhandled rejection:',
      reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason),
    );
  });
  process.on('uncaughtException', (error) => {
    app.logger.error('uncaught exception, stopping:', `${error.name}: ${error.message}`);
    process.exit(1);
  });
  const server = await app.start();
  const address = server?.address();
  const port = address && typeof address === 'object' ? address.port : config.port;
  app.logger.info(
    `revoke-sessions listening (${config.mode === 'socket' ? 'Socket Mode' : 'HTTP'}) on port ${port}; systems: ${
      app.deps.systems.map((s) => s.label).join(', ') || 'none'
    }; store: ${config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl : 'postgres'}`,
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info(`${signal}: finishing running work, then stopping`);
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.logger.error('shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `revoke-sessions failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
