import type { Server } from 'node:http';
import { App, type CustomRoute, HTTPReceiver, type Receiver, SocketModeReceiver } from '@slack/bolt';
import type { Logger as BoltLogger, LogLevel as BoltLogLevel } from '@slack/logger';
import { WebClient } from '@slack/web-api';
import type { RedactingLogger } from '../log.js';
import { guardSlackBodies } from './body-guard.js';
import type { SlackDeps } from './context.js';
import {
  applyServerTimeouts,
  DEFAULT_HTTP_LIMITS,
  type HttpLimits,
  httpLimits,
  serverOptions,
} from './http-limits.js';
import { register as registerActions } from './listeners/actions/index.js';
import { register as registerCommands } from './listeners/commands/index.js';
import { register as registerFunctions } from './listeners/functions/index.js';
import { register as registerViews } from './listeners/views/index.js';

export interface SlackApp {
  app: App;
  /** The bot's Web API client for work outside a listener (threads, approval cards, expiry). */
  client: WebClient;
  /** Starts listening; resolves with the HTTP server (HTTP mode, or Socket Mode's health server). */
  start(): Promise<Server | undefined>;
  stop(): Promise<void>;
}

export interface SlackAppOptions {
  logger: RedactingLogger;
  /** Extra HTTP routes (the alert API) on the same port. */
  routes?: CustomRoute[];
  /** Body and timeout limits of the HTTP server (defaults: {@link DEFAULT_HTTP_LIMITS}). */
  httpLimits?: Partial<HttpLimits> | undefined;
}

function healthRoute(deps: SlackDeps): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(
        JSON.stringify({ status: 'ok', mode: deps.config.mode, systems: deps.systems.map((s) => s.id) }),
      );
    },
  };
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
  const routes = [healthRoute(deps), ...(options.routes ?? [])];
  const clientOptions = {
    slackApiUrl: config.slack.apiUrl,
    retryConfig: { retries: 2, minTimeout: 200, maxTimeout: 2_000 },
  };
  let receiver: Receiver;
  if (config.mode === 'socket' && config.slack.appToken) {
    receiver = new SocketModeReceiver({
      appToken: config.slack.appToken,
      logger,
      customRoutes: routes,
      installerOptions: { port: config.port, clientOptions: { slackApiUrl: config.slack.apiUrl } },
    });
  } else {
    receiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret ?? '',
      endpoints: '/slack/events',
      customRoutes: routes,
      logger,
      processBeforeResponse: false,
      unhandledRequestTimeoutMillis: 2_900,
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
  const limits = httpLimits(options.httpLimits);
  if (receiver instanceof HTTPReceiver) guardSlackBodies(receiver, deps.logger, limits);
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
  app.error(async (error) => {
    deps.logger.error('listener failed:', error);
  });
  return {
    app,
    client,
    start: async () => {
      // Tight timeouts: headers and body within seconds, not Node's 60 s / 300 s (slow-loris).
      const started = (await app.start(config.port, serverOptions(limits))) as unknown;
      const server =
        started && typeof (started as Server).address === 'function'
          ? (started as Server)
          : (receiver as unknown as { httpServer?: Server }).httpServer;
      if (server) applyServerTimeouts(server, limits);
      return server;
    },
    stop: async () => {
      await app.stop();
      await deps.background.idle();
    },
  };
}
