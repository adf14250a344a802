/** A token as a token endpoint issued it. */
export interface IssuedToken {
  value: string;
  /** `expires_in`, in seconds. */
  expiresInSeconds: number;
}

/**
 * One OAuth access token for a client: cached until `marginMs` before it expires, one request
 * shared by every concurrent caller, and fetched again on demand (a 401) — the token handling
 * Box, Entra ID and Google Workspace share. `issue` asks the vendor (and registers the secret).
 */
export class TokenCache {
  private token: { value: string; expiresAt: number } | undefined;
  private fetching: Promise<string> | undefined;

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    private readonly now: () => number = Date.now,
    private readonly marginMs = 60_000,
  ) {}

  /** The cached token, or a fresh one (shared with every caller waiting for it). */
  async get(): Promise<string> {
    if (this.token && this.token.expiresAt - this.marginMs > this.now()) return this.token.value;
    this.fetching ??= this.issue()
      .then((t) => {
        this.token = { value: t.value, expiresAt: this.now() + t.expiresInSeconds * 1000 };
        return t.value;
      })
      .finally(() => {
        this.fetching = undefined;
      });
    return this.fetching;
  }

  /** The vendor refused the token (401): the next {@link get} fetches a new one. */
  invalidate(): void {
    this.token = undefined;
  }

  /** The hooks of an HTTP client that sends this token as a bearer and refreshes it once on a 401. */
  bearer(): { authorize: () => Promise<Record<string, string>>; onUnauthorized: () => Promise<boolean> } {
    return {
      authorize: async () => ({ authorization: `Bearer ${await this.get()}` }),
      onUnauthorized: async () => {
        this.invalidate();
        await this.get();
        return true;
      },
    };
  }
}
