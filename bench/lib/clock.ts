/**
 * One clock for several processes: Node's hrtime is CLOCK_MONOTONIC on Linux, shared by every
 * process of the machine, so a time taken in the load generator and one taken in the fake Slack
 * can be subtracted.
 */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
