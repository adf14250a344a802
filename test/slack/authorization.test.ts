import { afterEach, describe, expect, it } from 'vitest';
import { sectionTexts } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

describe('who may use /revoke-sessions', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('answers an outsider with an ephemeral "not allowed" and does nothing else', async () => {
    h = await startHarness();
    h.slack.addUser(user('UOUT', 'mallory@example.com'));
    const res = await h.command({ user_id: 'UOUT', text: '<@UALICE|alice>' });
    const body = (await res.json()) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toMatch(/not allowed/);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
    expect(h.slack.calls.filter((c) => c.method.startsWith('admin.'))).toHaveLength(0);
    const audit = await h.app.store.listAudit();
    expect(audit.at(-1)).toMatchObject({ actor: 'slack:UOUT', action: 'request_refused' });
  });

  it('refuses an outsider’s forged-looking view submission inside the modal', async () => {
    h = await startHarness();
    const res = await h.interact(submission(formValues({}), '{"c":"C0SEC"}', 'UOUT'));
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors.target).toMatch(/not allowed/);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(0);
  });

  it('allows members of a listed user group (usergroups.users.list, cached)', async () => {
    h = await startHarness({ REVOKE_REQUESTERS: 'S0SECOPS' });
    h.slack.groups.set('S0SECOPS', ['UREQ']);
    await h.command({ text: 'help' });
    const first = await h.command({ text: '<@UALICE|alice>' });
    expect(first.status).toBe(200);
    await h.slack.waitFor(() => h.slack.callsTo('views.open')[0]);
    await h.command({ text: '<@UALICE|alice>' });
    await h.slack.waitFor(() => h.slack.callsTo('views.open')[1]);
    expect(h.slack.callsTo('usergroups.users.list').length).toBe(1);
  });

  it('refuses, saying the check failed, when the group lookup fails (fails closed)', async () => {
    h = await startHarness({ REVOKE_REQUESTERS: 'S0SECOPS' });
    const res = await h.command({ text: '<@UALICE|alice>' });
    expect(((await res.json()) as { text: string }).text).toMatch(
      /^Could not check whether you may use \/revoke-sessions: user group S0SECOPS could not be read/,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('answers help without opening anything', async () => {
    h = await startHarness();
    const res = await h.command({ text: 'help' });
    const body = (await res.json()) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('Systems on this server: Slack');
  });

  it('explains an unreadable target', async () => {
    h = await startHarness();
    const res = await h.command({ text: '@alice' });
    expect(((await res.json()) as { text: string }).text).toMatch(/autocomplete/);
  });

  it('shows an unknown user as a refusal in the modal', async () => {
    h = await startHarness();
    await h.command({ text: 'nobody@example.com' });
    const update = await h.slack.waitFor(() =>
      h.slack
        .callsTo('views.update')
        .find((c) =>
          sectionTexts(c.args.view).some((t) => t.startsWith(':no_entry: No Slack user has the email')),
        ),
    );
    expect(update).toBeDefined();
  });
});
