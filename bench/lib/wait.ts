/** Waiting: a plain sleep and a polling loop. */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns true or `timeoutMs` passes; resolves with whether it did. */
export async function until(probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 20) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(everyMs);
  }
  return false;
}
