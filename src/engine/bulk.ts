import { asRevokeError } from '../errors.js';
import type { Account, Person, RevokeOutcome, Session, SessionProvider } from '../providers/types.js';
import { mapLimit } from '../util/limit.js';
import type { EngineContext } from './context.js';
import type { FencedWrites } from './lease.js';
import type { BulkPhase } from './step.js';
import type { RevocationRequest, RevocationStep } from './types.js';

/**
 * For a bulk request on a system with a bulk API (Slack resetBulk, Huawei's list-then-delete):
 * find everyone, record their steps as running (with bulk_started, in one write), then make one
 * chunked bulk call and, where the vendor can, verify everyone in one walk of its listing. Each
 * step then finishes its own person. Steps already started before a crash are left to the
 * one-by-one path, which re-checks them first. Every write is fenced by the run's lease, which is
 * checked before each vendor call: a run that lost it throws `LeaseLost`.
 */
export async function bulkPhase(
  ctx: EngineContext,
  store: FencedWrites,
  concurrency: number,
  request: RevocationRequest,
  provider: SessionProvider,
  steps: RevocationStep[],
  people: Person[],
): Promise<Map<string, BulkPhase> | undefined> {
  const pending = steps.filter((s) => s.state === 'pending');
  if (!provider.revokeAllBulk || request.selection?.[provider.id] || pending.length < 2) return undefined;
  const phases = new Map<string, BulkPhase>();
  const found: { step: RevocationStep; account: Account }[] = [];
  await mapLimit(pending, concurrency, async (step) => {
    store.lease.check();
    try {
      const lookup = await provider.findAccount(people[step.targetIndex] ?? request.target);
      phases.set(step.key, { lookup });
      if (lookup.status === 'found') found.push({ step, account: lookup.account });
    } catch (error) {
      phases.set(step.key, { lookup: { status: 'not_found', detail: 'lookup failed' }, error });
    }
  });
  const startedAt = ctx.iso();
  // Every step marked running and the bulk_started record: one write, before the bulk call.
  await store.updateSteps(
    request.id,
    found.map(({ step }) => ({
      key: step.key,
      patch: { state: 'running', attempts: step.attempts + 1, startedAt },
    })),
    {
      requestId: request.id,
      actor: 'engine',
      action: 'bulk_started',
      data: { system: provider.id, people: found.length },
    },
    startedAt,
  );
  for (const { step } of found) step.attempts += 1;
  await store.confirm();
  let outcomes: Map<string, RevokeOutcome | Error>;
  try {
    outcomes =
      found.length > 0
        ? await provider.revokeAllBulk(
            found.map((f) => f.account),
            { scope: request.slackScope },
          )
        : new Map();
  } catch (error) {
    outcomes = new Map(
      found.map((f) => [f.account.id, error instanceof Error ? error : new Error(String(error))]),
    );
  }
  const acceptedAt = ctx.iso();
  // Verification of the whole bulk in one walk of the vendor's listing where it can (Slack:
  // a few pages of the organisation's sessions instead of a Tier-2 call per person).
  let listed: Map<string, Session[]> | undefined;
  const revoked = found.filter((f) => !(outcomes.get(f.account.id) instanceof Error));
  if (provider.listSessionsBulk && revoked.length >= 2) {
    await store.confirm();
    listed = await provider.listSessionsBulk(revoked.map((f) => f.account)).catch((e: unknown) => {
      ctx.logger.warn(`${provider.id}: bulk verification listing failed:`, asRevokeError(e).message);
      return undefined;
    });
  }
  for (const [key, phase] of phases)
    phases.set(key, { ...phase, started: found.some((f) => f.step.key === key) ? startedAt : undefined });
  for (const { step, account } of found) {
    const result = outcomes.get(account.id) ?? new Error('the bulk call returned nothing for this person');
    const phase = phases.get(step.key);
    if (phase)
      phases.set(step.key, {
        ...phase,
        ...(result instanceof Error ? { error: result } : { outcome: result, acceptedAt }),
        ...(listed?.has(account.id) ? { listed: listed.get(account.id) } : {}),
      });
  }
  return phases;
}
