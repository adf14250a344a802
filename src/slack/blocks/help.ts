import type { SystemId } from '../../catalog.js';

/** The ephemeral help text for `/revoke-sessions help`. */
export function helpText(systems: { id: SystemId; label: string }[]): string {
  const configured = systems.length > 0 ? systems.map((s) => s.label).join(', ') : 'none configured';
  return [
    '*/revoke-sessions* — end a person’s login sessions everywhere at once.',
    '• `/revoke-sessions` — open the form and pick the person',
    '• `/revoke-sessions @alice` — open the form for Alice',
    '• `/revoke-sessions alice@example.com` — look the person up by email',
    '• `/revoke-sessions history @alice` — Alice’s recent revocations',
    '• `/revoke-sessions status <request-id>` — one request, system by system',
    '• `/revoke-sessions help` — this text',
    'The form shows each system’s sessions before anything happens; you can end all of them or only the ones you pick. Results are posted as a thread, one reply per system.',
    `Systems on this server: ${configured}.`,
  ].join('\n');
}
