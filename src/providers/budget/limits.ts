import type { Rate } from './rate-budget.js';

/** A system's documented limits: `count/period` per method (`*`: every call of the system). */
export interface SystemRateLimits {
  /** Each method has a budget of its own (Slack's tiers); otherwise one budget for the system. */
  readonly perMethod: boolean;
  readonly limits: Readonly<Record<string, string>>;
}

const PERIOD_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses `100/1m`, `20/60s`, `600/12s` or `100/m`; undefined when malformed. */
export function parseRate(text: string): Rate | undefined {
  const match = /^\s*(\d+)\s*\/\s*(\d*)\s*(ms|s|m|h)\s*$/i.exec(text);
  if (!match) return undefined;
  const count = Number(match[1]);
  const perMs = Number(match[2] || '1') * (PERIOD_UNITS[(match[3] ?? '').toLowerCase()] ?? 0);
  if (!Number.isSafeInteger(count) || count < 1 || perMs < 1 || perMs > 86_400_000) return undefined;
  return { count, perMs };
}

/** The budget key of one call: `slack:users.info` for a per-method system, else the system (or `system:operation` when configured). */
export function budgetKey(system: string, method: string, perMethod: boolean, table: RateTable): string {
  const own = `${system}:${method}`;
  return perMethod || table.has(own) ? own : system;
}

/** Limits by budget key (`slack:users.info`, `box`, `okta:list_users`). */
export type RateTable = ReadonlyMap<string, Rate>;

/**
 * The limits in force: every system's documented ones, then `REVOKE_RATE_LIMITS` entries over
 * them (`<system>[:<method>]=<count>/<period>`, comma-separated). Pushes a sentence for every
 * entry it cannot read. `off` turns the app's own budgets off (429s are still honoured).
 */
export function rateTable(
  documented: Readonly<Record<string, SystemRateLimits | undefined>>,
  configured: string | undefined,
  problems: string[],
): Map<string, Rate> {
  const table = new Map<string, Rate>();
  if (configured?.trim().toLowerCase() === 'off') return table;
  for (const [system, limits] of Object.entries(documented)) {
    for (const [method, text] of Object.entries(limits?.limits ?? {})) {
      const rate = parseRate(text);
      if (rate) table.set(method === '*' ? system : `${system}:${method}`, rate);
    }
  }
  for (const entry of (configured ?? '').split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const [key = '', value = ''] = entry.split('=', 2).map((p) => p.trim());
    const system = key.split(':', 1)[0] ?? '';
    const rate = parseRate(value);
    if (!(system in documented)) {
      problems.push(
        `REVOKE_RATE_LIMITS: "${key.slice(0, 40)}" names no system (one of ${Object.keys(documented).join(', ')}, optionally followed by :<method>)`,
      );
    } else if (!rate) {
      problems.push(
        `REVOKE_RATE_LIMITS: the limit for ${key} must be <count>/<period>, such as 100/1m or 20/60s`,
      );
    } else {
      table.set(key, rate);
    }
  }
  return table;
}

/** The share of every budget a bulk leaves to urgent requests unless `REVOKE_URGENT_RESERVE` says otherwise. */
export const DEFAULT_URGENT_RESERVE = 0.05;

/** Parses the reserved share (`5%` or `0.05`; unset: the default); undefined when malformed or above half. */
export function parseReserve(text: string | undefined): number | undefined {
  if (text === undefined) return DEFAULT_URGENT_RESERVE;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!match) return undefined;
  const share = Number(match[1]) / (match[2] ? 100 : 1);
  return share >= 0 && share <= 0.5 ? share : undefined;
}
