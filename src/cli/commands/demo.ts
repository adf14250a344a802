import { createCliBase, withStore } from '../context.js';
import { demoSigningHeaders } from '../demo/slack-requests.js';
import { type WalkthroughResult, walkthrough } from '../demo/walkthrough.js';
import { type DemoWorld, startDemoWorld } from '../demo/world.js';
import type { Io } from '../output.js';

export interface DemoOptions {
  /** Also start the Slack app against the fake Slack, and wait for curl requests until Ctrl-C. */
  slack: boolean;
  /** The app's port with `slack` (0: any free one). */
  port: number;
  /** Keep the temporary database afterwards (its DATABASE_URL is printed). */
  keep: boolean;
  json: boolean;
  verbose: boolean;
  /** Resolves when the operator asks to stop (Ctrl-C); the `--slack` part runs until then. */
  stopped: () => Promise<void>;
}

/**
 * `demo`: every system's fake on 127.0.0.1, seeded people and sessions, and one request walked end
 * to end through the real configuration, store and engine (the CLI's own composition root), then
 * `audit verify`. Needs no account, no network and no `.env` (the operator's is not read).
 * Exit 0 when every system ended (or queued) the sessions and the audit log verified.
 */
export async function demoCommand(io: Io, o: DemoOptions): Promise<number> {
  // With --json the story goes to stderr and stdout carries one JSON document.
  const say: Io = o.json ? { out: io.err, err: io.err } : io;
  say.out(
    'revoke-sessions demo — the real app code against local fakes of every system: no account, no network.',
  );
  const world = await startDemoWorld();
  try {
    const result = await walk(world, say, o, o.json ? io : undefined);
    if (o.slack) {
      const { runSlackDemo } = await import('../demo/slack-mode.js');
      await runSlackDemo(world, say, { port: o.port, stopped: o.stopped() });
    }
    const kept = o.slack ? [world.databaseUrl, world.slackDatabaseUrl] : [world.databaseUrl];
    say.out(
      o.keep
        ? `\nKept: ${kept.map((url) => `DATABASE_URL=${url} npx revoke-sessions audit`).join('\n      ')}`
        : '\nDone: the fakes are stopped and the temporary database is removed (--keep keeps it).',
    );
    return result.ok ? 0 : 1;
  } finally {
    await world.close({ keepDatabase: o.keep });
  }
}

/** The walk-through on the CLI's own context (config, providers, store, engine) over the demo world. */
async function walk(
  world: DemoWorld,
  say: Io,
  o: DemoOptions,
  json: Io | undefined,
): Promise<WalkthroughResult> {
  const ctx = await withStore(createCliBase(world.env, o.verbose), 'create');
  try {
    const labels = [...world.systems.keys()].map((id) => ctx.providers.get(id)?.label ?? id);
    say.out(`\n1. Started fakes of ${labels.join(', ')} on 127.0.0.1; the store is a temporary SQLite file.`);
    say.out(
      '   Seeded: alice@example.com with sessions in every system; bob (may request) and carol (may approve).',
    );
    const result = await walkthrough(ctx, say);
    if (json) {
      const request = await ctx.engine.request(result.requestId);
      const steps = await ctx.engine.steps(result.requestId);
      json.out(
        JSON.stringify(
          {
            ok: result.ok,
            request: request && { id: request.id, status: request.status, summary: request.summary },
            steps: steps.map((s) => ({
              system: s.system,
              state: s.state,
              remaining: s.result?.remaining ?? null,
            })),
            auditVerified: result.auditOk,
          },
          null,
          2,
        ),
      );
    }
    return result;
  } finally {
    await ctx.close();
  }
}

/** `demo sign <body>`: curl's signature headers for a request to the demo app (its secret only). */
export function demoSignCommand(io: Io, body: string): number {
  io.out(demoSigningHeaders(body));
  return 0;
}
