import { z } from 'zod';
import { ErrorCode, RevokeError } from '../../errors.js';
import type { Session } from '../types.js';

const deviceSchema = z
  .object({
    device_hardware: z.string().optional(),
    os: z.string().optional(),
    os_version: z.string().optional(),
    slack_client_version: z.string().optional(),
    ip: z.string().optional(),
  })
  .partial()
  .optional()
  .nullable();

/** `admin.users.session.list`: https://docs.slack.dev/reference/methods/admin.users.session.list */
export const listResponse = z.object({
  ok: z.literal(true),
  active_sessions: z
    .array(
      z.object({
        user_id: z.string(),
        session_id: z.union([z.number(), z.string()]),
        team_id: z.string(),
        created: deviceSchema,
        recent: deviceSchema,
      }),
    )
    .default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

type Device = z.infer<typeof deviceSchema>;

function kindOf(device: Device): Session['kind'] {
  const os = `${device?.os ?? ''} ${device?.device_hardware ?? ''}`.toLowerCase();
  if (/ios|iphone|ipad|android/.test(os)) return 'mobile';
  if (/web|browser|chrome|firefox|safari|edge/.test(os)) return 'web';
  if (/mac|windows|linux/.test(os)) return 'desktop';
  return undefined;
}

function describeDevice(device: Device): string | undefined {
  if (!device) return undefined;
  const parts = [
    device.device_hardware,
    device.slack_client_version && `Slack ${device.slack_client_version}`,
  ]
    .filter((p) => p && p.trim() !== '')
    .join(', ');
  return parts || undefined;
}

/** Session IDs we hand out are `<session_id>@<team_id>`, because invalidate needs both. */
export function slackSessionRef(sessionId: string | number, teamId: string): string {
  return `${sessionId}@${teamId}`;
}

export type ListedSession = z.infer<typeof listResponse>['active_sessions'][number];

/** A listed Slack session as the product shows it (the most recent device, else the first). */
export function toSession(s: ListedSession): Session {
  const device = s.recent ?? s.created;
  return {
    id: slackSessionRef(s.session_id, s.team_id),
    device: describeDevice(device) ?? describeDevice(s.created),
    os: [device?.os, device?.os_version].filter(Boolean).join(' ') || undefined,
    ip: device?.ip || s.created?.ip || undefined,
    kind: kindOf(device) ?? kindOf(s.created),
  };
}

/** Splits a reference made by {@link slackSessionRef}; anything else is refused. */
export function parseSessionRef(ref: string): { sessionId: string; teamId: string } {
  const m = /^(\d+)@([A-Z0-9]+)$/.exec(ref);
  if (!m?.[1] || !m[2]) {
    throw new RevokeError(`Not a Slack session reference: ${ref.slice(0, 40)}`, {
      code: ErrorCode.NotAllowed,
      system: 'slack',
    });
  }
  return { sessionId: m[1], teamId: m[2] };
}
