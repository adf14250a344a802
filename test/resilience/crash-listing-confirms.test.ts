import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeGoogle } from '../fakes/google.js';
import { FakeSlack } from '../fakes/slack.js';
import { type ChildApp, childEnv, kill9, startChildApp, waitForDone } from '../helpers/child-app.js';
import { formValues, submission } from '../helpers/forms.js';
import { SECRETS, user } from '../helpers/harness.js';
import { interactionBody, signedPost } from '../helpers/slack-signing.js';

/**
 * A listing confirms only what it lists. Google's listing shows OAuth grants, not the web and
 * device sessions `users.signOut` ends; Slack's `session.list` shows the person's workspaces, not
 * everything `reset` ends. A revoke-all interrupted by a crash is sent again on those systems,
 * never "confirmed" by an empty listing.
 */
describe('an interrupted revoke-all is never confirmed by a listing that cannot see it', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it.each([
    { vendor: 'google', call: 'signOut', when: 'before' },
    { vendor: 'google', call: 'signOut', when: 'after' },
    { vendor: 'slack', call: 'admin.users.session.reset', when: 'before' },
  ] as const)('SIGKILL $when $vendor $call', { timeout: 120_000 }, async (point) => {
    const slack = new FakeSlack({
      botToken: SECRETS.bot,
      adminToken: SECRETS.admin,
      memberChannels: ['C0SEC'],
    });
    const google = new FakeGoogle();
    await Promise.all([slack.start(), google.start()]);
    cleanups.push(() => Promise.all([slack.close(), google.close()]).then(() => undefined));
    slack.addUser(user('UREQ', 'bob@example.com')).addUser(user('UALICE', 'alice@example.com'));
    // The person has no Slack session listed and no OAuth grant: an empty listing proves nothing here.
    slack.sessions = [];
    google.users.push({ id: 'g-alice', primaryEmail: 'alice@example.com', fullName: 'Alice' });
    const dir = mkdtempSync(join(tmpdir(), 'revoke-crash-list-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = childEnv(slack.url, join(dir, 'revoke.db'), google.env());

    const first: ChildApp = await startChildApp(env);
    cleanups.push(() => {
      first.proc.kill('SIGKILL');
    });
    let fired = false;
    const maybeKill = async (call: string, when: 'before' | 'after') => {
      if (fired || call !== point.call || when !== point.when) return false;
      fired = true;
      await kill9(first);
      return true;
    };
    if (point.vendor === 'google') google.hook = (route, when) => maybeKill(route, when);
    else slack.beforeAnswer = (m) => maybeKill(m, 'before');

    const res = await signedPost(
      `${first.url}/slack/events`,
      interactionBody(submission(formValues({ systems: ['slack', 'google'] }))),
      'application/x-www-form-urlencoded',
      { secret: SECRETS.signing },
    );
    expect(res.status).toBe(200);
    await Promise.race([first.exited, new Promise((r) => setTimeout(r, 40_000))]);
    expect(fired, `kill point never reached: ${first.output.join('')}`).toBe(true);
    google.hook = undefined;
    slack.beforeAnswer = undefined;
    const applied = {
      signOut: google.signedOut.length,
      reset: slack.callsTo('admin.users.session.reset').length,
    };

    const second = await startChildApp(env);
    cleanups.push(async () => {
      second.proc.kill('SIGKILL');
      await second.exited;
    });
    const store = new SqliteStore(join(dir, 'revoke.db'));
    cleanups.push(() => store.close());
    const final = await waitForDone(store, 'UALICE');
    expect(final?.status, second.output.join('')).toBe('done');
    const steps = await store.listSteps(final?.id ?? '');
    const interrupted = steps.find((s) => s.system === point.vendor);
    // Sent again after the restart, and said so: never "confirmed after an interrupted attempt".
    expect(interrupted?.state).toBe('revoked');
    expect(interrupted?.result?.detail).toMatch(/repeated after an interrupted attempt/);
    expect(interrupted?.result?.detail).not.toMatch(/confirmed after an interrupted attempt/);
    if (point.vendor === 'google') {
      expect(google.signedOut.length).toBe(applied.signOut + 1);
      expect(google.signedOut.at(-1)).toBe('g-alice');
      // Its verification speaks of what Google's listing shows, not of "sessions".
      expect(interrupted?.result?.listingShows).toBe('OAuth app grants');
    } else {
      expect(slack.callsTo('admin.users.session.reset').length).toBe(applied.reset + 1);
    }
  });
});
