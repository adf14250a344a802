/**
 * Runs in every test worker: each HTTP answer a test receives through `fetch`
 * (the app's Slack endpoint, alert API, health check) is captured for the
 * secrets scan. The app's own outbound calls do not use `fetch`.
 */
import { capture } from '../helpers/capture.js';

const original = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const res = await original(input, init);
  try {
    const body = await res.clone().text();
    capture('http', `${res.status} ${JSON.stringify([...res.headers])} ${body}`);
  } catch {
    // a body that cannot be read twice (streams the test consumes) is not captured
  }
  return res;
};
