const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MIN_MS = 60_000;
const MAX_MS = 7 * 86_400_000;

/** Parses `90s`, `30m`, `1h`, `2d` (or a combination such as `1h30m`) to milliseconds; undefined when malformed or outside 1 min…7 days. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+[smhd])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, n, unit] of trimmed.matchAll(/(\d+)([smhd])/g)) {
    total += Number(n) * (UNITS[unit ?? 's'] ?? 0);
  }
  return total >= MIN_MS && total <= MAX_MS ? total : undefined;
}

/** Formats milliseconds as a short human duration (`1h`, `30m`, `45s`). */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}
