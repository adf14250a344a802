import type { SystemId } from '../catalog.js';
import { logFields } from '../log.js';
import type { Person, SlackScope } from '../providers/types.js';
import { notConfiguredText, unconfigured } from '../util/input-rules.js';
import { unreadableGroups } from './access.js';
import type { EngineContext } from './context.js';
import { approvalCardEffect, homePublishEffect, intakeNotes } from './effects.js';
import { recentRevocation } from './follow-up/repeat.js';
import { laneOf } from './lane.js';
import { type PersonRef, resolvePeople } from './people.js';
import { chosenSessions, countsOnly, previewPerson, type SystemPreview } from './plan.js';
import type { CreateOptions, NewEffect } from './store-port/index.js';
import {
  type Actor,
  allTargets,
  type NewRequest,
  type RequestSource,
  type RevocationRequest,
  type WorkflowLink,
} from './types.js';

/** What a surface asks for, in its own terms turned into the engine's: one call for every entry point. */
export interface Ask {
  source: RequestSource;
  requester: Actor;
  /** The people, in order (the first is the request's `target`); at most 1,000. */
  people: PersonRef[];
  systems: SystemId[];
  slackScope: SlackScope;
  /** "Only selected sessions", per system (one person only). */
  selection?: Partial<Record<SystemId, string[]>> | undefined;
  reason: string;
  origin?: { channelId?: string | undefined } | undefined;
  /** A second ask with the same key answers the first request (`created: false`). */
  idempotencyKey?: string | undefined;
  workflow?: WorkflowLink | undefined;
  /**
   * The surface's own reason to wait for an approver, on top of the policy's (e.g. an Okta Universal
   * Logout call when OKTA_UNIVERSAL_LOGOUT_AUTO is not true).
   */
  approvalRequired?: string | undefined;
  /** The break-glass CLI: no approval is possible, so none is asked for — and that is on record. */
  bypassApproval?:
    | {
        via: string;
        host?: string | undefined;
        /** Configured systems this request leaves out, and why (the CLI when Slack cannot be reached). */
        notDone?: { system: SystemId; why: string }[] | undefined;
      }
    | undefined;
}

/** `not_recorded`: a journaled submission that could not be recorded in several attempts. */
export type AskRefusal = 'not_a_requester' | 'no_person' | 'invalid' | 'not_recorded';

/** What became of an ask: refused with the reason, or recorded and either to run now or to approve. */
export type AskResult =
  | { ok: false; code: AskRefusal; message: string; refusedPeople: string[] }
  | {
      ok: true;
      request: RevocationRequest;
      /** False when the idempotency key answered an earlier request (nothing new was recorded). */
      created: boolean;
      /** `run`: approved, start it; `approve`: post it for an approver (its card data is `request.plan`). */
      next: 'run' | 'approve';
      /** People left out of the request, each with the reason. */
      refusedPeople: string[];
    };

export const MAX_PEOPLE = 1_000;

/**
 * "Request a revocation", the one use case behind every surface (modal, workflow step, alert API,
 * CLI): check the requester, resolve the people with one set of rules, apply the approval policy
 * (requester, automated sources, protected people, break-glass), build the plan — the people ×
 * systems × selection, and for an approval the preview each system reported, which the approver
 * is shown and execution is checked against — and record it all in one write.
 */
export class Intake {
  constructor(private readonly ctx: EngineContext) {}

  /**
   * Every vendor call it makes (looking the people up, the preview) is in the request's lane: a
   * request for several people that no alert raised is bulk work, and leaves urgent requests their share.
   */
  ask(ask: Ask, intake?: CreateOptions['intake'], replayedFrom?: string): Promise<AskResult> {
    return this.ctx.inLane(laneOf({ source: ask.source, people: ask.people.length }), () =>
      this.askNow(ask, intake, replayedFrom),
    );
  }

  /**
   * `intake`: the journal entry (and its holder) the request completes in the same write;
   * `replayedFrom`: when that entry's form was submitted, if it is recorded only after a restart.
   */
  private async askNow(
    ask: Ask,
    intake: CreateOptions['intake'],
    replayedFrom: string | undefined,
  ): Promise<AskResult> {
    const { approvals, directory } = this.ctx.deps;
    const who = `${ask.requester.kind}:${ask.requester.id}`;
    const may = approvals ? await approvals.mayRequest(ask.requester) : ({ state: 'member' } as const);
    if (may.state !== 'member') {
      const unknown = may.state === 'unknown';
      await this.ctx.audit(undefined, who, 'request_refused', {
        why: unknown ? 'requester check failed' : 'not a requester',
        via: ask.source,
        ...(unknown ? { unreadableGroups: may.groups } : {}),
        ...(ask.workflow ? { functionExecutionId: ask.workflow.functionExecutionId } : {}),
      });
      const name = ask.requester.kind === 'slack' ? `<@${ask.requester.id}>` : ask.requester.id;
      return {
        ok: false,
        code: 'not_a_requester',
        message: unknown
          ? `Could not check whether ${name} may request revocations (${unreadableGroups(may.groups)}), so nothing was recorded. Try again in a moment.`
          : `${name} is not allowed to request revocations (REVOKE_REQUESTERS).`,
        refusedPeople: [],
      };
    }
    const invalid = this.invalid(ask);
    if (invalid) return { ok: false, code: 'invalid', message: invalid, refusedPeople: [] };
    // An inbound signal or a Universal Logout call names someone the Slack directory must know: a
    // person the app cannot find there is not acted on (the caller is told, and it is recorded).
    const emailOnly = ask.source === 'api' || ask.source === 'cli';
    const resolved = await resolvePeople(directory, ask.people, emailOnly);
    const accepted = resolved.flatMap((r) => (r.ok ? [r.person] : []));
    const directoryUsers = resolved.flatMap((r) => (r.ok ? [r.user] : []));
    const refusedPeople = resolved.flatMap((r) => (r.ok ? [] : [r.message]));
    const [target, ...rest] = accepted;
    if (!target) return { ok: false, code: 'no_person', message: refusedPeople.join(' '), refusedPeople };
    const policy =
      ask.bypassApproval || !approvals ? undefined : await approvals.approvalReason(ask.source, ...accepted);
    const why =
      ask.approvalRequired && !ask.bypassApproval
        ? [ask.approvalRequired, policy].filter(Boolean).join('; ')
        : policy;
    // The plan: for one person, what each system reports now — the approver's view and, for chosen
    // sessions, the ones this person owns (with device and IP).
    const previews =
      rest.length === 0 && (why !== undefined || ask.selection)
        ? await previewPerson(this.ctx.providers, ask.systems, {
            ...target,
            directoryUser: directoryUsers[0],
          })
        : [];
    const planned = ask.selection ? chosenSessions(previews, ask.selection) : undefined;
    const notOwned = Object.entries(planned?.refused ?? {});
    const { request, created } = await this.submit(
      {
        source: ask.source,
        requester: ask.requester,
        target,
        additionalTargets: rest.length > 0 ? rest : undefined,
        systems: ask.systems,
        slackScope: ask.slackScope,
        selection: ask.selection,
        reason: ask.reason,
        origin: ask.origin,
        plan: {
          ...(planned ? { chosenSessions: planned.chosen } : {}),
          ...(why !== undefined && previews.length > 0 ? { preview: previews } : {}),
        },
      },
      {
        needsApproval: why !== undefined,
        approvalReason: why,
        ttlMs: this.ctx.deps.approvalTtlMs,
        idempotencyKey: ask.idempotencyKey,
        workflow: ask.workflow,
        intake,
        // A journaled form's requester hears of it in Slack (other surfaces answer with the result).
        notes: intake ? (r) => intakeNotes(r, replayedFrom, refusedPeople) : undefined,
        alsoAudit: [
          ...notOwned.map(([system, sessionIds]) => ({
            action: 'session_not_owned',
            data: {
              system,
              sessionIds,
              target: target.slackUserId ?? target.email ?? null,
              phase: 'request',
            },
          })),
          ...(ask.bypassApproval ? [{ action: 'approval_bypassed', data: { ...ask.bypassApproval } }] : []),
        ],
      },
    );
    const next = request.status === 'pending_approval' ? 'approve' : 'run';
    // No approval wait before the run: it reuses these lookups instead of repeating them.
    if (created && next === 'run') this.ctx.keepFreshLookups(request.id, directoryUsers);
    return { ok: true, request, created, next, refusedPeople };
  }

  /** What is wrong with an ask before anyone is looked up, or undefined. */
  private invalid(ask: Ask): string | undefined {
    const unknown = ask.systems.filter((s) => !this.ctx.providers.has(s));
    if (ask.systems.length === 0) return 'Choose at least one system.';
    if (unknown.length > 0) return notConfiguredText(unknown, [...this.ctx.providers.keys()]);
    if (ask.people.length === 0) return 'Name the person whose sessions to revoke.';
    if (ask.people.length > MAX_PEOPLE) return `At most ${MAX_PEOPLE} people in one request.`;
    if (ask.selection && ask.people.length > 1)
      return 'Single sessions can only be chosen for one person; choose all sessions for a bulk request.';
    if (ask.reason.trim() === '') return 'Give a reason: it goes into the audit log.';
    return undefined;
  }

  /**
   * Records a new request (approved, or pending approval until `ttlMs` from now) with its
   * `request_created` record and any further ones, in one write. The approval policy is applied
   * here too, whatever the caller decided: it can add an approval, never drop one the policy
   * requires (the break-glass CLI bypasses it, on record).
   */
  async submit(
    input: NewRequest,
    options: {
      needsApproval: boolean;
      approvalReason?: string | undefined;
      ttlMs?: number | undefined;
      /** Further records written in the same transaction, after `request_created`. */
      alsoAudit?: { action: string; data?: Record<string, unknown> }[] | undefined;
      /** Notes to the requester written with the request (before its approval card). */
      notes?: ((request: Pick<RevocationRequest, 'id' | 'requester'>) => NewEffect[]) | undefined;
    } & Omit<CreateOptions, 'expiresAt' | 'audit' | 'effects'>,
  ): Promise<{ request: RevocationRequest; created: boolean }> {
    const unknown = unconfigured(input.systems, [...this.ctx.providers.keys()]);
    if (unknown.length > 0) throw new Error(notConfiguredText(unknown, [...this.ctx.providers.keys()]));
    const actor = `${input.requester.kind}:${input.requester.id}`;
    const { approvals } = this.ctx.deps;
    const targets = allTargets(input);
    // The people's protection is read once: it decides the policy and is recorded with the plan.
    const protection = approvals
      ? await approvals.protection(...targets)
      : { isProtected: false, unknownGroups: [] as string[] };
    const policyWhy =
      approvals && input.source !== 'cli'
        ? approvals.reasonFor(input.source, protection, targets.length)
        : undefined;
    if (policyWhy && !options.needsApproval) {
      this.ctx.logger.warn(
        `a ${input.source} request was submitted without the approval the policy requires`,
      );
    }
    const needsApproval = options.needsApproval || policyWhy !== undefined;
    const approvalReason = needsApproval ? (options.approvalReason ?? policyWhy) : undefined;
    const protectedTarget = protection.isProtected;
    const protectionUnknown = protection.unknownGroups.length > 0 ? protection.unknownGroups : undefined;
    const status = needsApproval ? 'pending_approval' : 'approved';
    const expiresAt = needsApproval ? this.ctx.iso(options.ttlMs ?? 3_600_000) : undefined;
    const firstSystems = input.systems.filter(
      (s) => this.ctx.providers.get(s)?.capabilities.identityProvider,
    );
    // A second revocation of the person within a day is called out on the card (it is deliberate).
    const repeatOf = input.additionalTargets?.length
      ? undefined
      : await recentRevocation(this.ctx.store, input.target, this.ctx.now());
    const plan = {
      ...input.plan,
      ...(repeatOf ? { repeatOf } : {}),
      ...(approvalReason ? { approvalReason } : {}),
      ...(protectedTarget ? { protectedTarget } : {}),
      ...(protectionUnknown ? { protectionUnknown } : {}),
      ...(firstSystems.length > 0 ? { firstSystems } : {}),
    };
    const record: NewRequest = { ...input, plan: Object.keys(plan).length > 0 ? plan : undefined };
    const id = this.ctx.newId();
    // The approval card is an effect of recording the request: written with it, delivered by the outbox.
    const effects = [
      ...(options.notes?.({ id, requester: input.requester }) ?? []),
      ...(needsApproval ? [approvalCardEffect(id)] : []),
      homePublishEffect(id, 'created'),
    ];
    const result = await this.ctx.store.createRequest(id, record, status, this.ctx.iso(), {
      effects,
      expiresAt,
      idempotencyKey: options.idempotencyKey,
      workflow: options.workflow,
      intake: options.intake,
      audit: [
        {
          actor,
          action: 'request_created',
          data: {
            source: input.source,
            target: input.target,
            systems: input.systems,
            slackScope: input.slackScope,
            selection: input.selection ?? null,
            chosenSessions: input.plan?.chosenSessions ?? null,
            reason: input.reason,
            status,
            approvalReason: approvalReason ?? null,
            protectedTarget,
            ...(protectionUnknown ? { protectionUnknown } : {}),
            ...(repeatOf ? { repeatOf } : {}),
            expiresAt: expiresAt ?? null,
          },
        },
        ...(options.alsoAudit ?? []).map((a) => ({ actor, action: a.action, data: a.data })),
      ],
    });
    if (result.created) {
      if (effects.length > 0) this.ctx.effectsWritten();
      this.ctx.logger.info(
        `request ${result.request.id} recorded (${status}) by ${actor}`,
        logFields({ request_id: result.request.id, actor }),
      );
    }
    return result;
  }

  /**
   * What each system reports for the person, for `viewer` to look at before asking: the look is
   * audited (`sessions_previewed`) before anything is shown, and a protected person's session
   * details reach approvers only (others see how many sessions there are).
   */
  async preview(viewer: Actor, person: Person, systems: SystemId[]): Promise<SystemPreview[]> {
    const { approvals } = this.ctx.deps;
    const full = approvals ? await approvals.maySeeSessionDetails(viewer.id, person) : true;
    const previews = await previewPerson(this.ctx.providers, systems, person);
    await this.ctx.audit(undefined, `${viewer.kind}:${viewer.id}`, 'sessions_previewed', {
      target: { slackUserId: person.slackUserId ?? null, email: person.email ?? null },
      systems: previews.map((p) => ({ system: p.system, sessions: p.sessions?.length ?? null })),
      detail: full ? 'full' : 'counts',
    });
    return full ? previews : previews.map(countsOnly);
  }
}
