/**
 * The shipped fakes behind one shape ({@link FakeSystem}), here each checking its vendor's
 * contract: the provider contract suite, the test tables and the benchmarks take their systems
 * from here. A system in the registry without an entry here does not typecheck.
 */
import {
  boxSystem,
  entraSystem,
  type FakeSystem,
  googleSystem,
  huaweiSystem,
  mattermostSystem,
  oktaSystem,
  slackSystem,
} from '../../src/fakes/systems.js';
import type { SystemId } from '../../src/providers/registry.js';
import { FakeBox } from './box.js';
import { FakeHuawei } from './huawei.js';
import { FakeMattermost } from './mattermost.js';
import { FakeOkta } from './okta.js';
import { FAKE_SLACK_TOKENS, FakeSlack } from './slack.js';

export * from '../../src/fakes/systems.js';

/** A fresh, unstarted fake per system, in the registry's order. */
export const FAKE_SYSTEMS: { readonly [K in SystemId]: () => FakeSystem } = {
  okta: () => oktaSystem(new FakeOkta()),
  entra: () => entraSystem(),
  google: () => googleSystem(),
  slack: () =>
    slackSystem(new FakeSlack({ botToken: FAKE_SLACK_TOKENS.bot, adminToken: FAKE_SLACK_TOKENS.admin })),
  box: () => boxSystem(new FakeBox()),
  mattermost: () => mattermostSystem(new FakeMattermost()),
  huawei: () => huaweiSystem(new FakeHuawei()),
};
