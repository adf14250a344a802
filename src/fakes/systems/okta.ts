import { defineFakeSystem, vendorFaults } from '../fake-system.js';
import { FakeOkta, OKTA_TOKEN, oktaRateLimitHeaders } from '../okta.js';

const oktaId = (name: string) => `00u${name}`;

/** FakeOkta as a FakeSystem: Okta lists no sessions (the provider reports none, whatever the fake holds). */
export const oktaSystem = defineFakeSystem<FakeOkta>({
  id: 'okta',
  routes: { lookup: 'users', revokeAll: 'clear_sessions' },
  create: () => new FakeOkta(),
  env: (fake) => fake.env(),
  secrets: () => [OKTA_TOKEN],
  addPerson(fake, p, next) {
    fake.users.push({
      id: oktaId(p.name),
      status: p.deactivated ? 'DEPROVISIONED' : 'ACTIVE',
      login: p.email,
      email: p.email,
      firstName: p.name,
      sessions: Array.from({ length: p.sessions }, () => `102okta-s${next()}`),
      oauthTokens: [],
    });
    return oktaId(p.name);
  },
  makeAmbiguous(fake, email, name) {
    // profile.email is not unique in Okta: another user (another login) may carry the same address.
    fake.users.push({
      id: oktaId(name),
      status: 'ACTIVE',
      login: `${name}@corp.example.net`,
      email,
      sessions: [],
      oauthTokens: [],
    });
    return { person: { email } };
  },
  revokedAll: (fake, id) =>
    fake.cleared.some((c) => c.userId === id && c.oauthTokens) &&
    (fake.users.find((u) => u.id === id)?.sessions.length ?? 0) === 0,
  faults: vendorFaults(oktaRateLimitHeaders),
});
