import type { LogLevel } from './config.js';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Patterns that look like credentials, redacted even when not registered as secrets. */
const CREDENTIAL_PATTERNS: RegExp[] = [
  /xox[abeoprs]-[0-9A-Za-z-]{8,}/g,
  /xapp-[0-9A-Za-z-]{8,}/g,
  /(authorization["']?\s*[:=]\s*["']?)(bearer\s+|basic\s+|sdk-hmac-sha256\s+)?[^"'\s,}]+/gi,
  /(x-security-token["']?\s*[:=]\s*["']?)[^"'\s,}]+/gi,
  /((?:client_secret|access_token|refresh_token|token|signature)=)[^&\s"']+/gi,
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

/** A one-line-per-record logger to stderr with redaction; `sink` is injectable for tests. */
export class RedactingLogger implements Logger {
  private level: number;
  private name = 'revoke-sessions';

  constructor(
    private readonly redactor: Redactor,
    level: LogLevel = 'info',
    private readonly sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.level = LEVELS[level];
  }

  private write(level: LogLevel, msg: unknown[]): void {
    if (LEVELS[level] < this.level) return;
    const text = this.redactor.redact(msg.map(render).join(' '));
    this.sink(`${new Date().toISOString()} ${level.toUpperCase()} [${this.name}] ${text}`);
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
    if (level in LEVELS) this.level = LEVELS[level as LogLevel];
  }
  getLevel(): LogLevel {
    return (Object.entries(LEVELS).find(([, v]) => v === this.level)?.[0] ?? 'info') as LogLevel;
  }
  setName(name: string): void {
    this.name = name;
  }
}
