/**
 * One shape for every system's fake ({@link FakeSystem}) and the one builder that makes it
 * ({@link defineFakeSystem}): a system's definition says only what differs — its fake server, how
 * a person and their sessions are seeded, its environment and secrets, and how its vendor fails.
 */

import type { SystemId } from '../catalog.js';
import type { ProviderDeps } from '../providers/descriptor.js';
import type { FakeVendor, Fault } from './vendor.js';

/** A person to seed: `name` makes the ids, `sessions` how many live sessions they have. */
export interface SeedPerson {
  name: string;
  email: string;
  sessions: number;
  deactivated?: boolean;
  /** Where and when the sessions were last used (the demo shows them; tests leave the minimal ones). */
  seen?: { ip: string; at: Date } | undefined;
}

/** What the contract suite can make the next call of an operation answer. */
export type ContractFault =
  | { kind: 'status'; status: 401 | 403 | 404 | 500 | 503 }
  | { kind: 'rate_limited'; seconds: number }
  | { kind: 'timeout'; delayMs: number };

/** How the lookup of an ambiguous email must come out. */
export interface Ambiguity {
  person: { email: string; slackUserId?: string };
}

/** One system's fake, driven the same way whatever the vendor. */
export interface FakeSystem {
  readonly id: SystemId;
  /** The vendor routes (or Slack methods) of finding a person, revoking all, revoking chosen ones. */
  readonly routes: { lookup: string; revokeAll: string; revokeChosen?: string | undefined };
  start(): Promise<void>;
  close(): Promise<void>;
  /** The environment that configures the system against this fake. */
  env(): Record<string, string>;
  /** Credentials of this fake: none may ever appear in an error, a log line or an outcome. */
  readonly secrets: readonly string[];
  /** Extra provider dependencies (Slack: the bot token's directory). */
  deps(base: ProviderDeps): ProviderDeps;
  /** Seeds a person; returns their account id in the system. */
  addPerson(person: SeedPerson): string;
  /** Seeds a second account that makes `email` ambiguous; returns how the lookup must come out. */
  makeAmbiguous(email: string, name: string): Ambiguity;
  /** The person's live session ids, as the provider reports them. */
  liveSessions(name: string): string[];
  /** Whether a revoke-all for the person reached the vendor (ended, or accepted as a job). */
  revokedAll(name: string): boolean;
  /** Makes the next call of a route fail as the vendor documents it (its own body and headers). */
  fail(route: string, fault: ContractFault): void;
  /** How many calls a route received. */
  calls(route: string): number;
  /** When each call of a route arrived (epoch ms), in order. */
  callTimes(route: string): number[];
  /** Requests that broke the vendor's contract (a test's fake checks it; the shipped ones record none). */
  violations(): readonly string[];
  /** The base URL of the fake. */
  url(): string;
}

/** What the builder needs of a fake server. */
export interface FakeServer {
  readonly url: string;
  readonly violations: readonly string[];
  start(): Promise<unknown>;
  close(): Promise<void>;
}

/** How a vendor fails on the fake, and when each call of a route arrived. */
export interface FaultDriver<F> {
  fail: (fake: F, route: string, fault: ContractFault) => void;
  callTimes: (fake: F, route: string) => number[];
}

/** What differs between systems' fakes; the builder makes the rest. */
export interface FakeSystemDefinition<F extends FakeServer> {
  readonly id: SystemId;
  readonly routes: FakeSystem['routes'];
  /** A fresh fake, when the caller passes none. */
  create: () => F;
  env: (fake: F) => Record<string, string>;
  /** Read at each use: a fake may issue credentials as it runs. */
  secrets: (fake: F) => readonly string[];
  deps?: (fake: F, base: ProviderDeps) => ProviderDeps;
  /** Seeds the person and their sessions; returns the account id. `next` counts up from 1 per fake. */
  addPerson: (fake: F, person: SeedPerson, next: () => number) => string;
  makeAmbiguous: (fake: F, email: string, name: string, next: () => number) => Ambiguity;
  /** The account's live session ids as the provider reports them; none where it lists none. */
  liveSessions?: (fake: F, accountId: string) => string[];
  revokedAll: (fake: F, accountId: string) => boolean;
  faults: FaultDriver<F>;
}

/** Retry-After, the header most vendors send with a 429. */
export const retryAfter = (seconds: number): Record<string, string> => ({ 'retry-after': String(seconds) });

/** Faults of an HTTP vendor fake: each fake's own error body; the vendor's rate-limit header. */
export function vendorFaults(
  rateLimitHeaders: (seconds: number) => Record<string, string> = retryAfter,
): FaultDriver<FakeVendor> {
  const fault = (f: ContractFault): Fault => {
    if (f.kind === 'status') return { status: f.status };
    // The answer comes (and the call takes effect) only after the caller gave up.
    if (f.kind === 'timeout') return { delayMs: f.delayMs };
    return { status: 429, headers: rateLimitHeaders(f.seconds) };
  };
  return {
    fail: (fake, route, f) => fake.failNext(route, fault(f)),
    callTimes: (fake, route) => fake.requestsTo(route).map((r) => r.at),
  };
}

/** The builder of a system's {@link FakeSystem}: pass a fake (a test's checks its vendor's contract) or get a fresh one. */
export function defineFakeSystem<F extends FakeServer>(
  def: FakeSystemDefinition<F>,
): (fake?: F) => FakeSystem {
  return (fake = def.create()) => {
    const accounts = new Map<string, string>();
    let seq = 0;
    const next = () => ++seq;
    const account = (name: string) => accounts.get(name);
    return {
      id: def.id,
      routes: def.routes,
      start: async () => {
        await fake.start();
      },
      close: () => fake.close(),
      env: () => def.env(fake),
      get secrets() {
        return def.secrets(fake);
      },
      deps: (base) => def.deps?.(fake, base) ?? base,
      addPerson(person) {
        const id = def.addPerson(fake, person, next);
        accounts.set(person.name, id);
        return id;
      },
      makeAmbiguous: (email, name) => def.makeAmbiguous(fake, email, name, next),
      liveSessions(name) {
        const id = account(name);
        return id === undefined ? [] : (def.liveSessions?.(fake, id) ?? []);
      },
      revokedAll(name) {
        const id = account(name);
        return id !== undefined && def.revokedAll(fake, id);
      },
      fail: (route, fault) => def.faults.fail(fake, route, fault),
      calls: (route) => def.faults.callTimes(fake, route).length,
      callTimes: (route) => def.faults.callTimes(fake, route),
      violations: () => fake.violations,
      url: () => fake.url,
    };
  };
}
