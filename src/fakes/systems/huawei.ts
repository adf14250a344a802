import { defineFakeSystem, vendorFaults } from '../fake-system.js';
import { FakeHuawei, HUAWEI_KEYS } from '../huawei.js';

/** FakeHuawei as a FakeSystem: one batch delete revokes all or chosen sessions. */
export const huaweiSystem = defineFakeSystem<FakeHuawei>({
  id: 'huawei',
  routes: { lookup: 'users', revokeAll: 'batch_delete', revokeChosen: 'batch_delete' },
  create: () => new FakeHuawei(),
  env: (fake) => fake.env(),
  secrets: () => [HUAWEI_KEYS.secretKey],
  addPerson(fake, p, next) {
    const id = `hw-${p.name}`;
    fake.users.push({ user_id: id, user_name: p.name, emails: [{ value: p.email }] });
    for (let i = 0; i < p.sessions; i++) {
      fake.sessions.push({
        session_id: `hw-s${next()}`,
        user_id: id,
        creation_time: p.seen ? Math.floor(p.seen.at.getTime() / 1000) - 3600 : 1_700_000_000,
        ...(p.seen ? { ip_address: p.seen.ip, user_agent: 'Mozilla/5.0 (Macintosh) Chrome' } : {}),
      });
    }
    return id;
  },
  makeAmbiguous(fake, email, name) {
    fake.users.push({ user_id: `hw-${name}`, user_name: name, emails: [{ value: email }] });
    return { person: { email } };
  },
  liveSessions: (fake, id) => fake.sessions.filter((s) => s.user_id === id).map((s) => s.session_id),
  revokedAll: (fake, id) =>
    fake.requestsTo('batch_delete').some((r) => r.path.includes(`/users/${id}/`)) &&
    !fake.sessions.some((s) => s.user_id === id),
  faults: vendorFaults(),
});
