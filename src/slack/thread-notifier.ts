import type { WebClient } from '@slack/web-api';
import type { RunObserver, RunSteps } from '../engine/observer.js';
import type { RevocationRequest, RevocationStep, ThreadRef } from '../engine/types.js';
import type { Logger } from '../log.js';
import { type Labels, parentMessage } from './blocks/results.js';
import { stepReply, systemSummaryReply } from './blocks/step-replies.js';

const FALLBACK_ERRORS = ['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action'];

function slackError(error: unknown): string | undefined {
  return (error as { data?: { error?: string } }).data?.error;
}

/** Where a request's messages go, in order of preference: approval channel, invoking channel, requester's DM. */
export function destinations(request: RevocationRequest, approvalChannel: string | undefined): string[] {
  const channels = [approvalChannel ?? request.origin?.channelId];
  if (request.requester.kind === 'slack') channels.push(request.requester.id);
  return channels.filter((c): c is string => typeof c === 'string' && c !== '');
}

/** Posts to the first channel that accepts the message (the bot may not be a member of some). */
export async function postToFirstChannel(
  client: WebClient,
  logger: Logger,
  channels: string[],
  message: { text: string; blocks: unknown[] },
): Promise<ThreadRef | undefined> {
  for (const channel of channels) {
    try {
      const res = await client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks as never,
        unfurl_links: false,
      });
      if (res.channel && res.ts) return { channel: res.channel, ts: res.ts };
    } catch (error) {
      const code = slackError(error);
      if (!code || !FALLBACK_ERRORS.includes(code)) throw error;
      logger.warn(`cannot post in ${channel} (${code}); trying the next destination`);
    }
  }
  return undefined;
}

export interface ThreadNotifierDeps {
  client: WebClient;
  logger: Logger;
  labels: Labels;
  /** REVOKE_APPROVAL_CHANNEL, which takes precedence over the invoking channel. */
  approvalChannel: string | undefined;
  /** Bulk requests update the parent at most this often (default 2 s). */
  progressIntervalMs?: number;
}

/**
 * Shows a request's progress in Slack: one parent message (posted once; the
 * engine records its channel and ts so a resumed run reuses it), one threaded
 * reply per system, and the parent updated in place as systems finish.
 */
export class ThreadNotifier implements RunObserver {
  private readonly updates = new Map<string, Promise<void>>();
  private readonly summarised = new Set<string>();
  private readonly throttled = new Map<string, { steps: RunSteps; timer: NodeJS.Timeout }>();

  constructor(private readonly deps: ThreadNotifierDeps) {}

  /**
   * Shows the run's parent and answers where it is (the engine records it): an existing thread is
   * redrawn, an approval card becomes the (resolved) parent, or a new parent is posted — awaited,
   * so its ts is recorded before any vendor call a crash could make the run post it twice for.
   */
  async requestStarted(request: RevocationRequest, steps: RevocationStep[]): Promise<ThreadRef | undefined> {
    const existing = request.thread ?? request.approvalCard;
    if (existing) {
      this.redrawInBackground(existing, { ...request, thread: existing }, steps);
      return existing;
    }
    const thread = await postToFirstChannel(
      this.deps.client,
      this.deps.logger,
      destinations(request, this.deps.approvalChannel),
      parentMessage(request, steps, this.deps.labels),
    );
    if (!thread) {
      this.deps.logger.error(
        `request ${request.id}: no channel accepted the results thread; results are in the audit log`,
      );
    }
    return thread;
  }

  /**
   * Constant work per step for a bulk (its counts come from the engine's live view; the system's
   * steps are read once, for its summary; the parent is redrawn on a timer). One person's request
   * has at most one step per system, so its reply and parent are drawn from a copy of them.
   */
  async stepFinished(request: RevocationRequest, step: RevocationStep, steps: RunSteps): Promise<void> {
    const thread = request.thread;
    if (!thread) return;
    if (request.additionalTargets?.length) {
      // Bulk: one reply per system, once every person is done there.
      const key = `${request.id}:${step.system}`;
      if (steps.finished(step.system) === steps.count(step.system) && !this.summarised.has(key)) {
        this.summarised.add(key);
        const reply = systemSummaryReply(
          request,
          step.system,
          steps.ofSystem(step.system),
          this.deps.labels(step.system),
        );
        await this.deps.client.chat.postMessage({
          channel: thread.channel,
          thread_ts: thread.ts,
          ...reply,
          unfurl_links: false,
        });
      }
      this.scheduleParent(thread, request, steps);
      return;
    }
    // As they stand now: the view moves on while the reply is posted.
    const shown = steps.list();
    const reply = stepReply(request, step, this.deps.labels(step.system));
    await this.deps.client.chat.postMessage({
      channel: thread.channel,
      thread_ts: thread.ts,
      ...reply,
      unfurl_links: false,
    });
    await this.updateParent(thread, request, shown);
  }

  async requestFinished(request: RevocationRequest, steps: RevocationStep[]): Promise<void> {
    const pending = this.throttled.get(request.id);
    if (pending) clearTimeout(pending.timer);
    this.throttled.delete(request.id);
    if (request.thread) await this.updateParent(request.thread, request, steps);
  }

  /**
   * Redraws an existing parent (the approval card, or a resumed run's thread) without making
   * the revocation wait for Slack: the first vendor calls go out while chat.update is in
   * flight, and later updates queue behind it. Posting a new parent is awaited instead, so its
   * ts is stored before any work a crash could make the run post it twice for.
   */
  private redrawInBackground(thread: ThreadRef, request: RevocationRequest, steps: RevocationStep[]): void {
    this.updateParent(thread, request, steps).catch((e: unknown) =>
      this.deps.logger.warn('could not redraw the results parent:', e),
    );
  }

  /**
   * Bulk progress: at most one parent update per interval, always with the latest state (read from
   * the live view when the timer fires, so the steps are walked once per interval, not per step).
   */
  private scheduleParent(thread: ThreadRef, request: RevocationRequest, steps: RunSteps): void {
    const existing = this.throttled.get(request.id);
    if (existing) {
      existing.steps = steps;
      return;
    }
    const entry = {
      steps,
      timer: setTimeout(() => {
        this.throttled.delete(request.id);
        this.updateParent(thread, request, entry.steps.list()).catch((e: unknown) =>
          this.deps.logger.warn('progress update failed:', e),
        );
      }, this.deps.progressIntervalMs ?? 2_000),
    };
    entry.timer.unref();
    this.throttled.set(request.id, entry);
  }

  /** Serialises parent updates per request so an older state never overwrites a newer one. */
  private updateParent(
    thread: ThreadRef,
    request: RevocationRequest,
    steps: RevocationStep[],
  ): Promise<void> {
    const message = parentMessage(request, steps, this.deps.labels);
    const previous = this.updates.get(request.id) ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(async () => {
        await this.deps.client.chat.update({ channel: thread.channel, ts: thread.ts, ...message });
      });
    this.updates.set(request.id, next);
    void next.finally(() => {
      if (this.updates.get(request.id) === next) this.updates.delete(request.id);
    });
    return next;
  }
}
