import { type Logger as PinoLogger, pino } from 'pino';

/** How much the log says, least first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** How log records are written: one JSON object a line (default), or a readable line for humans. */
export type LogFormat = 'json' | 'pretty';

const LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];

/** Patterns that look like credentials, redacted even when not registered as secrets. */
const CREDENTIAL_PATTERNS: RegExp[] = [
  /xox[abeoprs]-[0-9A-Za-z-]{8,}/g,
  /xapp-[0-9A-Za-z-]{8,}/g,
  /xwfp-[0-9A-Za-z-]{8,}/g,
  // Google OAuth access tokens.
  /ya29\.[0-9A-Za-z._-]{10,}/g,
  /(authorization["']?\s*[:=]\s*["']?)(bearer\s+|basic\s+|ssws\s+|sdk-hmac-sha256\s+)?[^"'\s,}]+/gi,
  /(x-security-token["']?\s*[:=]\s*["']?)[^"'\s,}]+/gi,
  /((?:client_secret|access_token|refresh_token|token|signature)=)[^&\s"']+/gi,
];

/**
 * Field paths pino censors in a structured record (headers, bodies or configs
 * passed as fields), on top of the text scrubbing every value goes through.
 */
export const REDACT_PATHS = [
  'authorization',
  'token',
  'password',
  'secret',
  '*.authorization',
  '*.Authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.client_secret',
  '*.headers.authorization',
  '*.headers.Authorization',
];

/** Replaces every known secret and credential-shaped string with `[REDACTED]`. */
export class Redactor {
  private secrets: string[] = [];

  constructor(secrets: string[] = []) {
    this.add(secrets);
  }

  add(secrets: string[]): void {
    for (const s of secrets) if (s.length >= 6 && !this.secrets.includes(s)) this.secrets.push(s);
    this.secrets.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('[REDACTED]');
    for (const re of CREDENTIAL_PATTERNS) {
      out = out.replace(re, (match, prefix?: unknown, scheme?: unknown) =>
        typeof prefix === 'string' && match.startsWith(prefix)
          ? `${prefix}${typeof scheme === 'string' ? scheme : ''}[REDACTED]`
          : '[REDACTED]',
      );
    }
    return out;
  }
}

/** Context a record carries as its own JSON fields (`request_id`, `system`, `actor`, …). */
export interface LogFields {
  request_id?: string | undefined;
  system?: string | undefined;
  actor?: string | undefined;
  [key: string]: unknown;
}

const FIELDS = Symbol('log fields');
interface TaggedFields {
  [FIELDS]: LogFields;
}

/**
 * Wraps fields to pass as the last argument of a log call:
 * `logger.info('request finished', logFields({ request_id: id }))`. Anything else is message text.
 */
export function logFields(fields: LogFields): TaggedFields {
  return { [FIELDS]: fields };
}

function isTagged(value: unknown): value is TaggedFields {
  return typeof value === 'object' && value !== null && FIELDS in value;
}

/** The logger interface every module takes; Bolt's Logger is a superset. */
export interface Logger {
  debug(...msg: unknown[]): void;
  info(...msg: unknown[]): void;
  warn(...msg: unknown[]): void;
  error(...msg: unknown[]): void;
}

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) {
    const extra = (value as { code?: unknown }).code;
    return `${value.name}: ${value.message}${typeof extra === 'string' ? ` [${extra}]` : ''}`;
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** One readable line from a JSON record: `time LEVEL [name] msg key=value…` (newlines shown as `\n`). */
export function prettyLine(record: Record<string, unknown>): string {
  const { time, level, name, msg, ...rest } = record;
  const extras = Object.entries(rest).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  const text = [String(msg ?? ''), ...extras].join(' ').replace(/\r?\n/g, '\\n');
  return `${String(time)} ${String(level).toUpperCase()} [${String(name)}] ${text}`;
}

interface Shared {
  redactor: Redactor;
  sink: (line: string) => void;
  format: LogFormat;
  name: string;
}

/**
 * Structured logger on pino: one JSON object a line (`time`, `level`, `name`,
 * `msg`, plus `request_id`/`system`/`actor` when known), every value scrubbed
 * of known secrets and credential shapes before it is serialised, pino's
 * redaction paths for structured fields; `sink` is injectable for tests.
 */
export class RedactingLogger implements Logger {
  private readonly pino: PinoLogger;
  private readonly shared: Shared;

  constructor(
    redactor: Redactor,
    level: LogLevel = 'info',
    sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    format: LogFormat = 'json',
    parent?: { pino: PinoLogger; shared: Shared },
  ) {
    this.shared = parent?.shared ?? { redactor, sink, format, name: 'revoke-sessions' };
    this.pino =
      parent?.pino ??
      pino(
        {
          level,
          base: null,
          mixin: () => ({ name: this.shared.name }),
          messageKey: 'msg',
          timestamp: pino.stdTimeFunctions.isoTime,
          formatters: { level: (label) => ({ level: label }) },
          redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
        },
        { write: (chunk: string) => this.emit(chunk) },
      );
  }

  /** Writes one serialised record: as is (json) or as a readable line (pretty). */
  private emit(chunk: string): void {
    const { sink, format } = this.shared;
    for (const line of chunk.split('\n')) {
      if (line === '') continue;
      if (format === 'json') sink(line);
      else sink(prettyLine(JSON.parse(line) as Record<string, unknown>));
    }
  }

  /** Scrubs every string in a field value (nested up to 6 levels; deeper, or a cycle, becomes `[…]`). */
  private scrub(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.shared.redactor.redact(value);
    if (value instanceof Error) return this.shared.redactor.redact(render(value));
    if (value && typeof value === 'object') {
      if (depth >= 6) return '[…]';
      if (Array.isArray(value)) return value.map((v) => this.scrub(v, depth + 1));
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.scrub(v, depth + 1)]));
    }
    return value;
  }

  private write(level: LogLevel, msg: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const last = msg[msg.length - 1];
    const fields = isTagged(last) ? last[FIELDS] : undefined;
    const parts = fields ? msg.slice(0, -1) : msg;
    const text = this.shared.redactor.redact(parts.map(render).join(' '));
    const clean = fields
      ? (this.scrub(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))) as object)
      : {};
    this.pino[level](clean, text);
  }

  /** `text` with every known secret and credential shape scrubbed (for answers that quote an error). */
  redact(text: string): string {
    return this.shared.redactor.redact(text);
  }

  /** A logger whose every record carries `fields` (e.g. `{ request_id }`). */
  child(fields: LogFields): RedactingLogger {
    const bound = this.scrub(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
    return new RedactingLogger(this.shared.redactor, this.getLevel(), this.shared.sink, this.shared.format, {
      pino: this.pino.child(bound as Record<string, unknown>),
      shared: this.shared,
    });
  }

  debug(...msg: unknown[]): void {
    this.write('debug', msg);
  }
  info(...msg: unknown[]): void {
    this.write('info', msg);
  }
  warn(...msg: unknown[]): void {
    this.write('warn', msg);
  }
  error(...msg: unknown[]): void {
    this.write('error', msg);
  }
  // Bolt's Logger interface
  setLevel(level: string): void {
    if (LEVELS.includes(level)) this.pino.level = level;
  }
  getLevel(): LogLevel {
    const level = this.pino.level;
    return (LEVELS.includes(level) ? level : 'info') as LogLevel;
  }
  setName(name: string): void {
    this.shared.name = name;
  }
}
