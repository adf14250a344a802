import { describe, expect, it } from 'vitest';
import { arrivalOf, type SlackDeps } from '../../src/slack/context.js';

/** Trigger deadlines run from when Slack's request arrived, not from when its listener started. */
describe('arrivalOf', () => {
  const deps = (now: number) => ({ background: { now: () => now } }) as unknown as SlackDeps;

  it('moves the start back by the time the request waited before its listener ran', () => {
    const arrival = arrivalOf(deps(10_000), { arrivedAt: performance.now() - 2_000 });
    expect(arrival).toBeLessThanOrEqual(8_000);
    expect(arrival).toBeGreaterThan(7_000);
  });

  it('uses the listener’s start where no arrival was stamped (Socket Mode)', () => {
    expect(arrivalOf(deps(10_000), {})).toBe(10_000);
    expect(arrivalOf(deps(10_000), { arrivedAt: 'soon' })).toBe(10_000);
  });
});
