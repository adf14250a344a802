import { ENTRA_CREDENTIALS, FakeEntra } from '../entra.js';
import { defineFakeSystem, vendorFaults } from '../fake-system.js';

const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** FakeEntra as a FakeSystem: Entra ID lists no sessions; revoke-all revokes sign-in sessions. */
export const entraSystem = defineFakeSystem<FakeEntra>({
  id: 'entra',
  routes: { lookup: 'users', revokeAll: 'revoke' },
  create: () => new FakeEntra(),
  env: (fake) => fake.env(),
  // The access tokens it issued are credentials as well.
  secrets: (fake) => [ENTRA_CREDENTIALS.clientSecret, ...fake.issuedTokens()],
  addPerson(fake, p, next) {
    const id = guid(next());
    fake.users.push({
      id,
      displayName: p.name,
      mail: p.email,
      userPrincipalName: `${p.name}@contoso.onmicrosoft.com`,
      accountEnabled: !p.deactivated,
    });
    return id;
  },
  makeAmbiguous(fake, email, name, next) {
    // Another user whose sign-in name is the person's email (mail is not unique across the two).
    fake.users.push({
      id: guid(next()),
      displayName: name,
      mail: null,
      userPrincipalName: email,
      accountEnabled: true,
    });
    return { person: { email } };
  },
  revokedAll: (fake, id) => fake.revoked.includes(id),
  faults: vendorFaults(),
});
