import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { jwtVerify } from 'jose';
import { FakeVendor, type Received, type Reply } from './vendor.js';

/** Scopes the app asks for; the fake's domain-wide delegation grants these unless told otherwise. */
export const GOOGLE_TEST_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user.security',
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
];
export const GOOGLE_ADMIN = 'security-admin@example.com';
export const GOOGLE_CLIENT_EMAIL = 'revoke-sessions@revoke-test.iam.gserviceaccount.com';
export const GOOGLE_KEY_ID = 'f3c1d2e4a5b6978899aabbccddeeff0011223344';
/** Every access token the fake issues starts with this (a credential: never said anywhere). */
export const GOOGLE_TOKEN_PREFIX = 'ya29.c.fake-google-access-token-';

/** An RSA key pair as a test generates it, the private half as the PKCS#8 PEM a key file holds. */
export interface TestKeyPair {
  privatePem: string;
  publicKey: KeyObject;
}

/** A fresh RSA-2048 key pair (node:crypto). */
export function generateTestKeyPair(): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey };
}

let shared: TestKeyPair | undefined;
/** One key pair per test file: generating RSA keys is slow. */
export function sharedKeyPair(): TestKeyPair {
  shared ??= generateTestKeyPair();
  return shared;
}

export interface FakeGoogleUser {
  id: string;
  primaryEmail: string;
  aliases?: string[];
  fullName?: string;
  suspended?: boolean;
  isAdmin?: boolean;
}

/** One OAuth grant of a user to a third-party app, as `tokens.list` shows it. */
export interface FakeGoogleGrant {
  userId: string;
  clientId: string;
  displayText: string;
  scopes: string[];
  nativeApp?: boolean;
}

/** The Admin SDK error body: `{error: {code, message, errors: [{message, domain, reason}], status}}`. */
export function googleError(
  code: number,
  message: string,
  reason: string,
  status: string,
  domain = 'global',
) {
  return { error: { code, message, errors: [{ message, domain, reason }], status } };
}

const STATUS: Record<number, [string, string, string]> = {
  400: ['Invalid Input', 'invalid', 'INVALID_ARGUMENT'],
  401: [
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    'authError',
    'UNAUTHENTICATED',
  ],
  403: ['Not Authorized to access this resource/api', 'forbidden', 'PERMISSION_DENIED'],
  404: ['Resource Not Found: userKey', 'notFound', 'NOT_FOUND'],
  429: ['Rate Limit Exceeded', 'rateLimitExceeded', 'RESOURCE_EXHAUSTED'],
  500: ['Backend Error', 'backendError', 'INTERNAL'],
  503: ['The service is currently unavailable.', 'backendError', 'UNAVAILABLE'],
};

function defaultError(status: number) {
  const [message, reason, code] = STATUS[status] ?? STATUS[500] ?? ['Error', 'error', 'UNKNOWN'];
  return googleError(status, message, reason, code, status === 429 ? 'usageLimits' : 'global');
}

export interface FakeGoogleOptions {
  /** The scopes domain-wide delegation grants the service account's client ID. */
  delegatedScopes?: string[];
  /** The key the token endpoint checks assertions with (default: the shared test key). */
  keys?: TestKeyPair;
}

/**
 * A fake Google: the OAuth token endpoint (JWT-bearer grant: checks the RS256 signature with the
 * test's public key, and the claims) and the Admin SDK Directory API's users.get, users.signOut,
 * tokens.list and tokens.delete, answering with Google's bodies and statuses.
 */
export class FakeGoogle extends FakeVendor {
  readonly users: FakeGoogleUser[] = [];
  grants: FakeGoogleGrant[] = [];
  /** User ids signed out, in order. */
  readonly signedOut: string[] = [];
  /** Access tokens the API accepts (a test can clear them to force a 401 → new token). */
  readonly validTokens = new Set<string>();
  /** Every assertion's claims the token endpoint accepted. */
  readonly assertions: Record<string, unknown>[] = [];
  tokensIssued = 0;
  /** The token endpoint's clock, for the assertion's iat/exp checks. */
  clock: () => number = Date.now;
  keyFile = '';
  readonly keys: TestKeyPair;
  private readonly delegated: string[];

  constructor(options: FakeGoogleOptions = {}) {
    const user = (key: string) => this.findUser(key);
    super(
      [
        { name: 'token', method: 'POST', pattern: /^\/token$/, handle: (req) => this.token(req) },
        {
          name: 'user',
          method: 'GET',
          pattern: /^\/admin\/directory\/v1\/users\/([^/]+)$/,
          handle: (req, [key]) =>
            this.authorized(req, () => {
              const u = user(key ?? '');
              return u
                ? { status: 200, body: this.userResource(u) }
                : { status: 404, body: defaultError(404) };
            }),
        },
        {
          name: 'signOut',
          method: 'POST',
          pattern: /^\/admin\/directory\/v1\/users\/([^/]+)\/signOut$/,
          handle: (req, [key]) =>
            this.authorized(req, () => {
              const u = user(key ?? '');
              if (!u) return { status: 404, body: defaultError(404) };
              this.signedOut.push(u.id);
              return { status: 204 };
            }),
        },
        {
          name: 'tokens',
          method: 'GET',
          pattern: /^\/admin\/directory\/v1\/users\/([^/]+)\/tokens$/,
          handle: (req, [key]) =>
            this.authorized(req, () => {
              const u = user(key ?? '');
              if (!u) return { status: 404, body: defaultError(404) };
              const items = this.grants.filter((g) => g.userId === u.id).map((g) => this.grantResource(g));
              // Google leaves `items` out when the user has no grants.
              return {
                status: 200,
                body: {
                  kind: 'admin#directory#tokenList',
                  etag: '"etag-list"',
                  ...(items.length ? { items } : {}),
                },
              };
            }),
        },
        {
          name: 'tokenDelete',
          method: 'DELETE',
          pattern: /^\/admin\/directory\/v1\/users\/([^/]+)\/tokens\/([^/]+)$/,
          handle: (req, [key, clientId]) =>
            this.authorized(req, () => {
              const u = user(key ?? '');
              const grant = this.grants.find((g) => g.userId === u?.id && g.clientId === clientId);
              if (!u || !grant)
                return {
                  status: 404,
                  body: googleError(404, 'Resource Not Found: clientId', 'notFound', 'NOT_FOUND'),
                };
              this.grants = this.grants.filter((g) => g !== grant);
              return { status: 204 };
            }),
        },
      ],
      defaultError,
    );
    this.keys = options.keys ?? sharedKeyPair();
    this.delegated = options.delegatedScopes ?? GOOGLE_TEST_SCOPES;
    this.users.push({ id: 'admin-1', primaryEmail: GOOGLE_ADMIN, fullName: 'Security Admin', isAdmin: true });
  }

  /** Starts the server and writes the service account's key file, its `token_uri` pointing here. */
  override async start(): Promise<string> {
    const url = await super.start();
    this.keyFile = join(mkdtempSync(join(tmpdir(), 'google-key-')), 'service-account.json');
    writeFileSync(this.keyFile, JSON.stringify(this.keyFileContent()), { mode: 0o600 });
    return url;
  }

  /** Stops the server and removes the key file it wrote. */
  override async close(): Promise<void> {
    await super.close();
    if (this.keyFile) rmSync(dirname(this.keyFile), { recursive: true, force: true });
  }

  /** The JSON key file as Google Cloud issues it. */
  keyFileContent(): Record<string, string> {
    return {
      type: 'service_account',
      project_id: 'revoke-test',
      private_key_id: GOOGLE_KEY_ID,
      private_key: this.keys.privatePem,
      client_email: GOOGLE_CLIENT_EMAIL,
      client_id: '104242424242424242424',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: `${this.url}/token`,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    };
  }

  env(): Record<string, string> {
    return {
      GOOGLE_SERVICE_ACCOUNT_KEY_FILE: this.keyFile,
      GOOGLE_ADMIN_SUBJECT: GOOGLE_ADMIN,
      GOOGLE_ADMIN_API_URL: this.url,
    };
  }

  /** Google folds case with Unicode rules (a Kelvin sign reads as k): the app must compare exactly. */
  private findUser(key: string): FakeGoogleUser | undefined {
    const k = key.toLowerCase();
    return this.users.find(
      (u) =>
        u.id === key ||
        u.primaryEmail.toLowerCase() === k ||
        (u.aliases ?? []).some((a) => a.toLowerCase() === k),
    );
  }

  private userResource(u: FakeGoogleUser) {
    return {
      kind: 'admin#directory#user',
      id: u.id,
      etag: `"etag-${u.id}"`,
      primaryEmail: u.primaryEmail,
      name: { givenName: u.fullName ?? u.id, familyName: '', fullName: u.fullName ?? u.id },
      isAdmin: u.isAdmin ?? false,
      suspended: u.suspended ?? false,
      ...(u.suspended ? { suspensionReason: 'ADMIN' } : {}),
      archived: false,
      ...(u.aliases?.length ? { aliases: u.aliases } : {}),
      customerId: 'C0123abcd',
      orgUnitPath: '/',
    };
  }

  private grantResource(g: FakeGoogleGrant) {
    return {
      kind: 'admin#directory#token',
      etag: `"etag-${g.clientId}"`,
      clientId: g.clientId,
      displayText: g.displayText,
      anonymous: false,
      nativeApp: g.nativeApp ?? false,
      userKey: g.userId,
      scopes: g.scopes,
    };
  }

  private authorized(req: Received, then: () => Reply): Reply {
    const header = String(req.headers.authorization ?? '');
    if (!/^Bearer /.test(header) || !this.validTokens.has(header.slice(7)))
      return {
        status: 401,
        body: defaultError(401),
        headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
      };
    return then();
  }

  /** https://developers.google.com/identity/protocols/oauth2/service-account#httprest */
  private async token(req: Received): Promise<Reply> {
    const form = (req.body ?? {}) as Record<string, string>;
    const oauth = (status: number, error: string, description: string): Reply => ({
      status,
      body: { error, error_description: description },
    });
    if (form.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      return oauth(400, 'unsupported_grant_type', `Invalid grant_type: ${String(form.grant_type)}`);
    let claims: Record<string, unknown>;
    try {
      const verified = await jwtVerify(form.assertion ?? '', this.keys.publicKey, {
        algorithms: ['RS256'],
        issuer: GOOGLE_CLIENT_EMAIL,
        audience: `${this.url}/token`,
        maxTokenAge: '1h',
        currentDate: new Date(this.clock()),
      });
      if (verified.protectedHeader.kid !== GOOGLE_KEY_ID) throw new Error('kid');
      claims = verified.payload as Record<string, unknown>;
    } catch {
      return oauth(400, 'invalid_grant', 'Invalid JWT Signature.');
    }
    const exp = Number(claims.exp);
    const iat = Number(claims.iat);
    if (!(exp > iat && exp - iat <= 3600))
      return oauth(
        400,
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.',
      );
    const subject = this.users.find((u) => u.primaryEmail === claims.sub);
    if (!subject) return oauth(400, 'invalid_grant', 'Invalid email or User ID');
    const asked = String(claims.scope ?? '').split(' ');
    if (asked.some((s) => !this.delegated.includes(s)) || asked.length === 0)
      return oauth(
        401,
        'unauthorized_client',
        'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
      );
    this.assertions.push(claims);
    const token = `${GOOGLE_TOKEN_PREFIX}${++this.tokensIssued}`;
    this.validTokens.add(token);
    return { status: 200, body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
  }

  /** Google's 429: `rateLimitExceeded` in the usageLimits domain, with Retry-After. */
  protected override rateLimitReply(retryAfterSeconds: number): Reply {
    return { status: 429, body: defaultError(429), headers: { 'retry-after': String(retryAfterSeconds) } };
  }
}
