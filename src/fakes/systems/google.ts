import { defineFakeSystem, vendorFaults } from '../fake-system.js';
import { FakeGoogle, GOOGLE_TOKEN_PREFIX } from '../google.js';

/** FakeGoogle as a FakeSystem: the OAuth grants are this system's sessions. */
export const googleSystem = defineFakeSystem<FakeGoogle>({
  id: 'google',
  // Deleting one grant is "revoke chosen".
  routes: { lookup: 'user', revokeAll: 'signOut', revokeChosen: 'tokenDelete' },
  create: () => new FakeGoogle(),
  env: (fake) => fake.env(),
  secrets: (fake) => [
    fake.keys.privatePem,
    fake.keys.privatePem.split('\n').find((l) => l.length > 40) ?? fake.keys.privatePem,
    GOOGLE_TOKEN_PREFIX,
  ],
  addPerson(fake, p, next) {
    const id = `g-${p.name}`;
    fake.users.push({ id, primaryEmail: p.email, fullName: p.name, suspended: p.deactivated ?? false });
    for (let i = 0; i < p.sessions; i++) {
      const n = next();
      fake.grants.push({
        userId: id,
        clientId: `${100_000 + n}.apps.googleusercontent.com`,
        displayText: `App ${n}`,
        scopes: ['openid', 'email'],
      });
    }
    return id;
  },
  makeAmbiguous(fake, email, name) {
    // Google folds case with Unicode rules: a Kelvin-sign K account answers a `k…` address.
    fake.users.push({ id: `g-${name}`, primaryEmail: `\u212A${email.slice(1)}`, fullName: name });
    return { person: { email: `k${email.slice(1)}` } };
  },
  liveSessions: (fake, id) => fake.grants.filter((g) => g.userId === id).map((g) => g.clientId),
  revokedAll: (fake, id) => fake.signedOut.includes(id) && !fake.grants.some((g) => g.userId === id),
  // Google sends Retry-After with some 429s; without it the client backs off (google.test.ts).
  faults: vendorFaults(),
});
