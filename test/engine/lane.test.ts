import { describe, expect, it } from 'vitest';
import { laneOf, laneOfRequest } from '../../src/engine/lane.js';
import type { Ask } from '../../src/engine/request.js';
import { currentLane, type Lane } from '../../src/providers/budget/index.js';
import type { Account, Person } from '../../src/providers/types.js';
import { MemorySystem, world } from './world.js';

/** A system that notes the lane each call it is sent runs in (as the vendor budgets read it). */
class LaneSystem extends MemorySystem {
  readonly lanes: { call: string; lane: Lane }[] = [];

  override async findAccount(person: Person) {
    this.lanes.push({ call: 'find', lane: currentLane() });
    return super.findAccount(person);
  }

  override async revokeAll(account: Account) {
    this.lanes.push({ call: 'revoke', lane: currentLane() });
    return super.revokeAll(account);
  }
}

describe('the lane of a request (the engine’s rule)', () => {
  it('puts one-person requests and alerts in the urgent lane, other requests for several people in bulk', () => {
    expect(laneOf({ source: 'slash_command', people: 1 })).toBe('urgent');
    expect(laneOf({ source: 'api', people: 50 })).toBe('urgent');
    expect(laneOf({ source: 'signal', people: 2 })).toBe('urgent');
    expect(laneOf({ source: 'universal_logout', people: 2 })).toBe('urgent');
    expect(laneOf({ source: 'slash_command', people: 2 })).toBe('bulk');
    expect(laneOf({ source: 'workflow', people: 3 })).toBe('bulk');
    expect(laneOf({ source: 'cli', people: 1000 })).toBe('bulk');
  });

  it('counts every person of a stored request', () => {
    const person = { email: 'a@example.com' };
    expect(laneOfRequest({ source: 'slash_command', target: person })).toBe('urgent');
    expect(laneOfRequest({ source: 'slash_command', target: person, additionalTargets: [person] })).toBe(
      'bulk',
    );
  });
});

describe('the engine runs each request’s vendor calls in its lane (through the lane it is given)', () => {
  async function setUp() {
    const mm = new LaneSystem('mattermost', 'Mattermost');
    const w = world([mm]);
    await w.ready();
    w.people(mm, 3);
    const ask = (people: number, over: Partial<Ask> = {}): Ask => ({
      source: 'slash_command',
      requester: { kind: 'slack', id: 'UREQ' },
      people: Array.from({ length: people }, (_, i) => ({ kind: 'user' as const, userId: `UP${i}` })),
      systems: ['mattermost'],
      slackScope: 'all',
      reason: 'INC-12',
      ...over,
    });
    const askAndRun = async (a: Ask) => {
      const asked = await w.engine.ask(a);
      if (!asked.ok) throw new Error(asked.message);
      await w.engine.run(asked.request.id);
    };
    return { mm, w, ask, askAndRun };
  }

  it('a request for one person: urgent', async () => {
    const { mm, ask, askAndRun } = await setUp();
    await askAndRun(ask(1));
    expect(mm.lanes.filter((l) => l.call === 'revoke').map((l) => l.lane)).toEqual(['urgent']);
    expect(new Set(mm.lanes.map((l) => l.lane))).toEqual(new Set(['urgent']));
  });

  it('a request for several people that no alert raised: bulk, lookups and revocations alike', async () => {
    const { mm, ask, askAndRun } = await setUp();
    await askAndRun(ask(3));
    expect(mm.lanes.filter((l) => l.call === 'revoke')).toHaveLength(3);
    expect(mm.lanes.filter((l) => l.call === 'find').length).toBeGreaterThan(0);
    expect(new Set(mm.lanes.map((l) => l.lane))).toEqual(new Set(['bulk']));
  });

  it('an alert for several people: urgent, approved and run', async () => {
    const { mm, w, ask } = await setUp();
    const asked = await w.engine.ask(ask(3, { source: 'api', requester: { kind: 'api', id: 'edr' } }));
    if (!asked.ok) throw new Error(asked.message);
    expect(asked.next).toBe('approve');
    await w.engine.decide(asked.request.id, { kind: 'slack', id: 'UAPP' }, 'approve');
    await w.engine.run(asked.request.id);
    expect(mm.lanes.filter((l) => l.call === 'revoke')).toHaveLength(3);
    expect(new Set(mm.lanes.map((l) => l.lane))).toEqual(new Set(['urgent']));
  });
});
