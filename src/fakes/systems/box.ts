import { BOX_CREDENTIALS, FakeBox } from '../box.js';
import { defineFakeSystem, vendorFaults } from '../fake-system.js';

/** FakeBox as a FakeSystem: Box lists no sessions; revoke-all terminates them. */
export const boxSystem = defineFakeSystem<FakeBox>({
  id: 'box',
  routes: { lookup: 'users', revokeAll: 'terminate_sessions' },
  create: () => new FakeBox(),
  env: (fake) => fake.env(),
  secrets: () => [BOX_CREDENTIALS.clientSecret],
  addPerson(fake, p) {
    const id = `box-${p.name}`;
    fake.users.push({ id, login: p.email, name: p.name });
    return id;
  },
  makeAmbiguous(fake, email, name) {
    fake.users.push({ id: `box-${name}`, login: email.toUpperCase(), name });
    return { person: { email } };
  },
  revokedAll: (fake, id) => fake.terminated.includes(id),
  faults: vendorFaults(),
});
