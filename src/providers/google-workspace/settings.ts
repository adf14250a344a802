import { allOrNone, type EnvValues, noTrailingSlash, opt, patternVar, urlVar } from '../../util/env-vars.js';
import { readServiceAccountKey, type ServiceAccountKey } from './keyfile.js';

/** A service account with domain-wide delegation, acting as one Google Workspace admin. */
export interface GoogleConfig {
  key: ServiceAccountKey;
  /** The admin the service account impersonates (the assertion's `sub`). */
  adminSubject: string;
  /** Admin SDK base URL, without a trailing slash. */
  apiUrl: string;
  /** OAuth token endpoint: the assertion's `aud` and where it is posted. */
  tokenUrl: string;
}

/**
 * The OAuth scopes asked for, and so the ones domain-wide delegation must grant the service
 * account's client ID: signing out and OAuth grants (`user.security`), reading users (`user.readonly`).
 */
export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user.security',
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
] as const;

/** Google's token endpoint, when neither the key file nor GOOGLE_TOKEN_URL names one. */
export const GOOGLE_DEFAULT_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** Its variables, as documented in the README. */
export const GOOGLE_ENV = {
  GOOGLE_SERVICE_ACCOUNT_KEY_FILE: opt,
  GOOGLE_ADMIN_SUBJECT: patternVar(
    /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
    'the email address of a Google Workspace admin the service account acts as (domain-wide delegation)',
  ),
  GOOGLE_ADMIN_API_URL: urlVar('the Admin SDK base URL, https://admin.googleapis.com'),
  GOOGLE_TOKEN_URL: urlVar("the Google OAuth token URL (default: the key file's token_uri)"),
};

/** Enabled when the key file and the admin subject are both set; the key file is read and checked here. */
export function configureGoogle(env: EnvValues, problems: string[]): GoogleConfig | undefined {
  const names = ['GOOGLE_SERVICE_ACCOUNT_KEY_FILE', 'GOOGLE_ADMIN_SUBJECT'];
  if (!allOrNone(env, names, 'Google Workspace', problems)) return undefined;
  const read = readServiceAccountKey(env.GOOGLE_SERVICE_ACCOUNT_KEY_FILE ?? '');
  if ('problem' in read) {
    problems.push(read.problem);
    return undefined;
  }
  return {
    key: read.key,
    adminSubject: env.GOOGLE_ADMIN_SUBJECT ?? '',
    apiUrl: noTrailingSlash(env.GOOGLE_ADMIN_API_URL ?? 'https://admin.googleapis.com'),
    tokenUrl: env.GOOGLE_TOKEN_URL ?? read.key.tokenUri ?? GOOGLE_DEFAULT_TOKEN_URL,
  };
}

/** The values to redact: the PEM, and each line of its body (in case it is ever printed escaped). */
export function googleSecrets(config: GoogleConfig): string[] {
  const lines = config.key.privateKey
    .split(/\r?\n|\\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 16 && !l.startsWith('-----'));
  return [config.key.privateKey, JSON.stringify(config.key.privateKey).slice(1, -1), ...lines];
}
