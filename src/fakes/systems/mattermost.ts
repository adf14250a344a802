import { defineFakeSystem, vendorFaults } from '../fake-system.js';
import { FakeMattermost, MATTERMOST_TOKEN } from '../mattermost.js';

/** FakeMattermost as a FakeSystem. */
export const mattermostSystem = defineFakeSystem<FakeMattermost>({
  id: 'mattermost',
  routes: { lookup: 'user_by_email', revokeAll: 'revoke_all', revokeChosen: 'revoke' },
  create: () => new FakeMattermost(),
  env: (fake) => fake.env(),
  secrets: () => [MATTERMOST_TOKEN],
  addPerson(fake, p, next) {
    const id = `mm-${p.name}`;
    fake.users.push({ id, email: p.email, username: p.name, ...(p.deactivated ? { delete_at: 1 } : {}) });
    for (let i = 0; i < p.sessions; i++) {
      const n = next();
      fake.sessions.push({
        id: `mm-s${n}`,
        user_id: id,
        token: `mm-session-token-${n}`,
        create_at: p.seen ? p.seen.at.getTime() - 3_600_000 : 1,
        last_activity_at: p.seen ? p.seen.at.getTime() : 2,
        ...(p.seen ? { props: { browser: 'Chrome', platform: 'Macintosh', os: 'Mac OS' } } : {}),
      });
    }
    return id;
  },
  makeAmbiguous(fake, email, name) {
    // Mattermost lower-cases with Unicode rules: a Kelvin-sign K account answers a `k…` address.
    fake.users.push({ id: `mm-${name}`, email: `\u212A${email.slice(1)}`, username: name });
    return { person: { email: `k${email.slice(1)}` } };
  },
  liveSessions: (fake, id) => fake.sessions.filter((s) => s.user_id === id).map((s) => s.id),
  revokedAll: (fake, id) =>
    fake.requestsTo('revoke_all').some((r) => r.path.includes(`/users/${id}/`)) &&
    !fake.sessions.some((s) => s.user_id === id),
  // Mattermost's limiter says when its window resets in X-Ratelimit-Reset, without Retry-After.
  faults: vendorFaults((s) => ({
    'x-ratelimit-limit': '10',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': String(s),
  })),
});
