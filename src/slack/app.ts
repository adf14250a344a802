import type { Server } from 'node:http';
import { App, type CustomRoute, HTTPReceiver, type Receiver, SocketModeReceiver } from '@slack/bolt';
import type { Logger as BoltLogger, LogLevel as BoltLogLevel } from '@slack/logger';
import { WebClient } from '@slack/web-api';
import { webApiFetch } from '../http/slack-transport.js';
import type { RedactingLogger } from '../log.js';
import type { ReadinessProbe } from '../runtime/readiness.js';
import { listenFailure } from '../startup/errors.js';
import { guardReceiverBodies, guardServerBodies } from './body-guard.js';
import type { SlackDeps } from './context.js';
import { healthRoutes } from './health-routes.js';
import {
  applyServerTimeouts,
  DEFAULT_HTTP_LIMITS,
  type HttpLimits,
  httpLimits,
  serverOptions,
} from './http-limits.js';
import { register as registerActions } from './listeners/actions/index.js';
import { register as registerCommands } from './listeners/commands/index.js';
import { register as registerEvents } from './listeners/events/index.js';
import { register as registerFunctions } from './listeners/functions/index.js';
import { register as registerShortcuts } from './listeners/shortcuts/index.js';
import { register as registerViews } from './listeners/views/index.js';
import { SocketConnection } from './socket-connection.js';

export interface SlackApp {
  app: App;
  /** The bot's Web API client for work outside a listener (threads, approval cards, expiry). */
  client: WebClient;
  /** Starts listening; resolves with the HTTP server (HTTP mode, or Socket Mode's health server). */
  start(): Promise<Server | undefined>;
  stop(): Promise<void>;
  /** The Socket Mode connection (Socket Mode only), for readiness. */
  connection: SocketConnection | undefined;
}

export interface SlackAppOptions {
  logger: RedactingLogger;
  /** What `/readyz` asks the store (a read-only port; the app never holds the store). */
  readiness: ReadinessProbe;
  /** Extra HTTP routes (the alert API, metrics) on the same port. */
  routes?: CustomRoute[];
  /** Body and timeout limits of the HTTP server (defaults: {@link DEFAULT_HTTP_LIMITS}). */
  httpLimits?: Partial<HttpLimits> | undefined;
  /** First wait after a failed Socket Mode connection attempt (default 1 s). */
  socketRetryBaseMs?: number;
  /** The address to listen on (default: every interface; the demo keeps to 127.0.0.1). */
  host?: string | undefined;
}

/** Where Slack posts events, commands and interactions (HTTP mode). */
const SLACK_ENDPOINTS: readonly string[] = ['/slack/events'];

/** Listens Socket Mode's HTTP server (health, readiness, metrics, alert API); a busy port names PORT. */
function listen(server: Server, port: number, host: string | undefined): Promise<Server> {
  return new Promise((resolve, reject) => {
    const onError = (error: unknown) => reject(listenFailure(error, port));
    server.once('error', onError);
    server.listen({ port, host }, () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}

/** Bolt's Logger shape over our redacting logger (its level type is Bolt's own enum). */
function boltLogger(logger: RedactingLogger): BoltLogger {
  return {
    debug: (...m) => logger.debug(...m),
    info: (...m) => logger.info(...m),
    warn: (...m) => logger.warn(...m),
    error: (...m) => logger.error(...m),
    setLevel: (level) => logger.setLevel(level),
    getLevel: () => logger.getLevel() as BoltLogLevel,
    setName: (name) => logger.setName(name),
  };
}

/**
 * Builds the Bolt app: HTTP receiver (signature + 5-minute timestamp checked
 * by Bolt) or Socket Mode when SLACK_APP_TOKEN is set, SLACK_API_URL for
 * every Web API call, `/healthz`, and the listeners of each surface.
 */
export function createSlackApp(deps: SlackDeps, options: SlackAppOptions): SlackApp {
  const { config } = deps;
  const logger = boltLogger(options.logger);
  let connection: SocketConnection | undefined;
  const routes = [
    ...healthRoutes({
      mode: config.mode,
      systems: deps.systems.map((s) => s.id),
      probe: options.readiness,
      redact: (text) => options.logger.redact(text),
      get connection() {
        return connection;
      },
    }),
    ...(options.routes ?? []),
  ];
  const clientOptions = {
    slackApiUrl: config.slack.apiUrl,
    retryConfig: { retries: 2, minTimeout: 200, maxTimeout: 2_000 },
    fetch: webApiFetch(config.slack.apiUrl),
  };
  const limits = httpLimits(options.httpLimits);
  let receiver: Receiver;
  if (config.mode === 'socket' && config.slack.appToken) {
    receiver = new SocketModeReceiver({
      appToken: config.slack.appToken,
      logger,
      autoReconnectEnabled: false, // SocketConnection reconnects, with backoff and logged reasons
      customRoutes: routes,
      // No retries inside the client: our connection loop retries with backoff and says why.
      installerOptions: {
        port: config.port,
        clientOptions: { slackApiUrl: config.slack.apiUrl, retryConfig: { retries: 0 } },
      },
    });
    connection = new SocketConnection((receiver as SocketModeReceiver).client, {
      logger: deps.logger,
      retryBaseMs: options.socketRetryBaseMs,
    });
    // Its HTTP server serves the alert API too: the same guard on every body it reads.
    const server = (receiver as unknown as { httpServer?: Server }).httpServer;
    if (server) guardServerBodies(server, deps.logger, limits);
  } else {
    receiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret ?? '',
      endpoints: [...SLACK_ENDPOINTS],
      customRoutes: routes,
      // Bolt's own limit (default 4 MiB) as a second line behind the body guard.
      bodyLimit: limits.maxBodyBytes,
      logger,
      processBeforeResponse: false,
      unhandledRequestTimeoutMillis: 2_900,
      // The arrival time the body guard stamped, for the trigger deadlines (see arrivalOf).
      customPropertiesExtractor: (req) => {
        const arrivedAt = (req as { arrivedAt?: unknown }).arrivedAt;
        return typeof arrivedAt === 'number' ? { arrivedAt } : {};
      },
      processEventErrorHandler: async ({ error, response }) => {
        if (response.headersSent) {
          deps.logger.error('listener failed after ack:', error);
          return false;
        }
        // A payload that crashes Bolt's own matching (missing view, actions…) is the sender's fault, not ours.
        const malformed = error instanceof TypeError;
        deps.logger.warn(
          malformed ? 'rejected a malformed Slack payload:' : 'listener failed before ack:',
          error,
        );
        response.writeHead(malformed ? 400 : 500);
        response.end();
        return true;
      },
    });
  }
  // Every request body, on every path and spelling of it, is read by the guard before Bolt or a route.
  if (receiver instanceof HTTPReceiver) guardReceiverBodies(receiver, deps.logger, SLACK_ENDPOINTS, limits);
  // The bot token comes from our own authorize, never from Bolt's `token` option: with a token,
  // Bolt either fires auth.test unawaited at construction (an unreachable Slack became an unhandled
  // rejection, and Node's default handler printed the request, token included) or, with token
  // verification off, calls auth.test before EVERY incoming request, so each ack waited for a
  // Slack round trip. The bot user ID it fetches is not needed: the app listens to no message events.
  const botToken = config.slack.botToken;
  const app = new App({
    authorize: async () => ({ botToken }),
    receiver,
    logger,
    clientOptions,
  });
  const client = new WebClient(botToken, { ...clientOptions, logger });
  registerCommands(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerFunctions(app, deps);
  registerEvents(app, deps);
  registerShortcuts(app, deps);
  app.error(async (error) => {
    deps.logger.error('listener failed:', error);
  });
  return {
    app,
    client,
    connection,
    start: async () => {
      if (receiver instanceof SocketModeReceiver && connection) {
        // Not app.start(): it waits for Slack forever. Serve health and readiness first, then connect
        // in the background, so a Slack outage shows as "not ready" instead of a silent hang.
        const server = (receiver as unknown as { httpServer?: Server }).httpServer;
        if (server) {
          applyServerTimeouts(server, limits);
          await listen(server, config.port, options.host);
        }
        connection.start();
        return server;
      }
      let started: unknown;
      try {
        // Tight timeouts: headers and body within seconds, not Node's 60 s / 300 s (slow-loris).
        const where = options.host ? { port: config.port, host: options.host } : config.port;
        started = (await app.start(where, serverOptions(limits))) as unknown;
      } catch (error) {
        throw listenFailure(error, config.port);
      }
      const server =
        started && typeof (started as Server).address === 'function'
          ? (started as Server)
          : (receiver as unknown as { httpServer?: Server }).httpServer;
      if (server) applyServerTimeouts(server, limits);
      return server;
    },
    stop: async () => {
      await connection?.stop();
      await app.stop();
      await deps.background.idle();
    },
  };
}
