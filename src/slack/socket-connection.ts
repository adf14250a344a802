import type { SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../log.js';

/** Where the Socket Mode connection to Slack stands. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** Platform errors that mean the app-level token itself is wrong; nothing but a new token fixes them. */
const TOKEN_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'not_allowed_token_type',
  'missing_scope',
]);

type SocketClient = SocketModeReceiver['client'];

export interface SocketConnectionOptions {
  logger: Logger;
  /** First wait after a failed connection attempt; doubles up to `retryMaxMs` (default 1 s). */
  retryBaseMs?: number;
  /** Longest wait between attempts (default 30 s). */
  retryMaxMs?: number;
}

/** A failure to connect, in words that name what to fix. */
export function describeConnectFailure(error: unknown): { text: string; tokenProblem: boolean } {
  const e = error as { code?: string; data?: { error?: string }; message?: string };
  const platform = e?.data?.error;
  if (platform && TOKEN_ERRORS.has(platform)) {
    return {
      text: `Slack rejected SLACK_APP_TOKEN (${platform}): set it to the app-level token (xapp-…) with connections:write from the app's "Basic Information" page`,
      tokenProblem: true,
    };
  }
  if (platform) return { text: `Slack refused apps.connections.open (${platform})`, tokenProblem: false };
  if (e?.code === 'slack_webapi_request_error' || e?.code === 'slack_webapi_http_error') {
    return {
      text: `cannot reach Slack to open the Socket Mode connection (${e.message ?? e.code}); check SLACK_API_URL and outbound network access`,
      tokenProblem: false,
    };
  }
  if (error === undefined) {
    return { text: 'the WebSocket closed before Slack said hello', tokenProblem: false };
  }
  return { text: `Socket Mode connection failed (${e?.message ?? String(error)})`, tokenProblem: false };
}

/**
 * Connects the Socket Mode client in the background and keeps trying (with
 * backoff) until it is connected or stopped, and again after every drop,
 * logging every change of state, so start-up never hangs on Slack and
 * readiness can tell the truth. The client's own auto-reconnect must be off.
 */
export class SocketConnection {
  private current: ConnectionState = 'disconnected';
  private lastProblem: string | undefined = 'not connected yet';
  private stopped = false;
  private wake: (() => void) | undefined;
  private started = false;
  private looping = false;

  constructor(
    private readonly client: SocketClient,
    private readonly options: SocketConnectionOptions,
  ) {
    client.on('connecting', () => this.set('connecting'));
    client.on('reconnecting', () =>
      this.set('reconnecting', 'the connection to Slack dropped; reconnecting'),
    );
    client.on('connected', () => this.set('connected'));
    client.on('disconnected', () => {
      this.set('disconnected', 'disconnected from Slack');
      // The client's own reconnection is off (it could die silently on one failed attempt): ours takes over.
      if (this.started) this.ensureLoop();
    });
  }

  /** The state now, and why it is not connected (when it is not). */
  status(): { state: ConnectionState; reason: string | undefined } {
    return { state: this.current, reason: this.current === 'connected' ? undefined : this.lastProblem };
  }

  private set(state: ConnectionState, reason?: string): void {
    if (state === this.current) return;
    this.current = state;
    if (reason) this.lastProblem = reason;
    const { logger } = this.options;
    if (state === 'connected') logger.info('Socket Mode: connected to Slack');
    else if (state === 'connecting') logger.info('Socket Mode: connecting to Slack…');
    else if (!this.stopped) logger.warn(`Socket Mode: not connected to Slack (${reason ?? state})`);
  }

  /** Starts connecting in the background; resolves at once. */
  start(): void {
    this.started = true;
    this.ensureLoop();
  }

  private ensureLoop(): void {
    if (this.looping || this.stopped) return;
    this.looping = true;
    void this.run().finally(() => {
      this.looping = false;
    });
  }

  private async run(): Promise<void> {
    let delay = this.options.retryBaseMs ?? 1_000;
    const max = this.options.retryMaxMs ?? 30_000;
    while (!this.stopped) {
      try {
        await this.client.start();
        return;
      } catch (error) {
        if (this.stopped) return;
        const { text, tokenProblem } = describeConnectFailure(error);
        this.lastProblem = text;
        this.current = 'disconnected';
        const log = tokenProblem ? this.options.logger.error : this.options.logger.warn;
        log.call(
          this.options.logger,
          `Socket Mode: not connected to Slack: ${text}; retrying in ${delay} ms`,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        delay = Math.min(delay * 2, max);
      }
    }
  }

  /** Stops retrying and closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    // Bounded: a socket that is already gone may never confirm, and shutdown must not hang on it.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.disconnect().catch(() => {}),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 2_000);
      }),
    ]);
    clearTimeout(timer);
  }
}
