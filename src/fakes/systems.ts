/**
 * Every system's fake behind one shape, keyed by the registry's ids: the demo, the provider
 * contract suite, the test tables and the benchmarks take their systems from here. Each system's
 * definition is in `systems/<id>.ts`, made by the one builder in `fake-system.ts`. A system in
 * the registry without an entry here does not typecheck.
 */
import type { SystemId } from '../catalog.js';
import type { FakeSystem } from './fake-system.js';
import { boxSystem } from './systems/box.js';
import { entraSystem } from './systems/entra.js';
import { googleSystem } from './systems/google.js';
import { huaweiSystem } from './systems/huawei.js';
import { mattermostSystem } from './systems/mattermost.js';
import { oktaSystem } from './systems/okta.js';
import { slackSystem } from './systems/slack.js';

export * from './fake-system.js';
export { boxSystem, entraSystem, googleSystem, huaweiSystem, mattermostSystem, oktaSystem, slackSystem };

/** A fresh, unstarted fake per system, in the registry's order. */
export const FAKE_SYSTEMS: { readonly [K in SystemId]: () => FakeSystem } = {
  okta: () => oktaSystem(),
  entra: () => entraSystem(),
  google: () => googleSystem(),
  slack: () => slackSystem(),
  box: () => boxSystem(),
  mattermost: () => mattermostSystem(),
  huawei: () => huaweiSystem(),
};
