import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeMattermost } from '../fakes/mattermost.js';
import { captureSqliteAudit } from '../helpers/capture.js';
import { cli, events, spawnCli } from './run.js';

const people = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `p${from + i}@example.com`);

/** `script` gives the CLI a terminal (util-linux); without it the terminal test is skipped, saying so. */
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasScript) console.warn('Skipping the terminal progress test: `script` (util-linux) is not installed.');

/**
 * What a long CLI revoke shows while it works, how Ctrl-C leaves it, and how `resume` finishes
 * it — through the real CLI in a child process, against a slow fake Mattermost.
 */
describe('CLI progress, Ctrl-C and resume', () => {
  const mm = new FakeMattermost();
  const dir = mkdtempSync(join(tmpdir(), 'revoke-cli-progress-'));
  const db = join(dir, 'cli.db');
  let env: Record<string, string>;
  beforeAll(async () => {
    await mm.start();
    env = { ...mm.env(), DATABASE_URL: `sqlite:${db}` };
  });
  beforeEach(() => {
    mm.users.splice(0);
    mm.sessions = [];
    mm.requests.splice(0);
    mm.hook = undefined;
    for (const [i, email] of people(40).entries()) {
      mm.users.push({ id: `m${i}`, email, username: `p${i}` });
      mm.sessions.push({ id: `s${i}`, user_id: `m${i}`, token: 'T', create_at: 1, last_activity_at: 2 });
    }
  });
  afterAll(async () => {
    await mm.close();
    captureSqliteAudit(`sqlite:${db}`);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Each person's revoke-all calls, by Mattermost user id. */
  const revokesPerUser = () => {
    const counts = new Map<string, number>();
    for (const r of mm.requestsTo('revoke_all')) {
      const id = /users\/([^/]+)\//.exec(r.path)?.[1] ?? '?';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };

  it(
    'Ctrl-C mid-bulk says what is done and left and how to go on; resume finishes it, nothing repeated',
    { timeout: 90_000 },
    async () => {
      const bulk = people(24);
      mm.hook = async (_route, when) => {
        if (when === 'before') await new Promise((r) => setTimeout(r, 300));
        return false;
      };
      const run = spawnCli(['revoke', ...bulk, '--reason', 'INC-20 progress', '--yes'], env);
      // Without a terminal: a progress line every few seconds on stderr.
      for (let i = 0; i < 600 && !/progress: Mattermost \d+\/24/.test(run.stderr()); i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(run.stderr()).toMatch(/^ {3}progress: Mattermost \d+\/24 {2}\d+(\.\d)?\/s, ~\d+ s left$/m);
      run.proc.kill('SIGINT');
      const stopped = await run.done;
      expect(stopped.code, stopped.stderr).toBe(130);
      expect(stopped.stderr).toMatch(
        /^Ctrl-C: stopping — no new vendor calls; the calls in flight finish and are recorded/m,
      );
      const said =
        /^Interrupted: (\d+) of 24 step\(s\) finished, (\d+) left \(Mattermost (\d+)\/24\)\.$/m.exec(
          stopped.stderr,
        );
      expect(said).not.toBeNull();
      const [finished, left] = [Number(said?.[1]), Number(said?.[2])];
      expect(finished).toBeGreaterThan(0);
      expect(left).toBeGreaterThan(0);
      expect(finished + left).toBe(24);
      const id = /-- (r-[\w-]+): revoking/.exec(stopped.stderr)?.[1] ?? '';
      expect(stopped.stderr).toContain(`is left to resume. The Slack app resumes it at its next round`);
      expect(stopped.stderr).toContain(`or finish it here: revoke-sessions resume ${id}`);

      // Left in a state that resumes: the app's next round may claim it now (its lease was released).
      const before = new SqliteStore(db);
      try {
        expect(await before.listRunnable(new Date().toISOString(), 10)).toEqual([id]);
      } finally {
        await before.close();
      }

      // What `status` says meanwhile: grouped by system, each step naming its person.
      const status = await cli(['status', id], env);
      const lines = status.stdout.split('\n');
      expect(lines[0]).toMatch(new RegExp(`^${id}  running`));
      expect(lines).toContain(`  Mattermost: ${finished} of 24 finished`);
      const personLines = lines.filter((l) => /^ {4}p\d+@example\.com +[A-Z_]+/.test(l));
      expect(personLines).toHaveLength(24);
      expect(personLines.filter((l) => /^ {4}p\d+@example\.com +REVOKED /.test(l))).toHaveLength(finished);
      expect(personLines.filter((l) => /PENDING|RUNNING/.test(l))).toHaveLength(left);

      // `resume` takes the released lease over at once and finishes it.
      mm.hook = undefined;
      const resumed = await cli(['resume', id], env);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(new RegExp(`^-- ${id}: resuming \\(running\\)$`, 'm'));
      expect(resumed.stderr).toMatch(/=> done: 24 revoked/);
      expect(resumed.stdout).toContain('  Mattermost: 24 of 24 finished');
      // Nothing repeated: one revoke-all per person across both runs, one step_finished per step.
      expect([...revokesPerUser().entries()].sort()).toEqual(
        bulk.map((_, i) => [`m${i}`, 1] as [string, number]).sort(),
      );
      expect(mm.sessions.map((s) => s.id)).toEqual(people(16, 24).map((_, i) => `s${24 + i}`));
      const store = new SqliteStore(db);
      try {
        const audit = await store.listAudit({ requestId: id });
        expect(audit.filter((a) => a.action === 'step_finished')).toHaveLength(24);
        expect(audit.filter((a) => a.action === 'run_resumed')).toHaveLength(1);
        expect(audit.filter((a) => a.action === 'run_finished')).toHaveLength(1);
      } finally {
        await store.close();
      }
      // Resuming a finished request shows it, with its outcome's exit code.
      const again = await cli(['resume', id], env);
      expect(again.code).toBe(0);
      expect(again.stderr).toMatch(new RegExp(`Request ${id} already finished: done\\.`));
    },
  );

  it(
    '--json streams one event per step on stderr; stdout stays the result',
    { timeout: 60_000 },
    async () => {
      const run = await cli(['revoke', ...people(5), '--reason', 'INC-20 json', '--yes', '--json'], env);
      expect(run.code, run.stderr).toBe(0);
      const stream = events(run.stderr);
      expect(stream[0]).toMatchObject({
        event: 'started',
        people: 5,
        systems: [{ system: 'mattermost', done: 0, total: 5 }],
      });
      const steps = stream.filter((e) => e.event === 'step');
      expect(steps.map((e) => e.person).sort()).toEqual(people(5));
      expect(steps.map((e) => e.done)).toEqual([1, 2, 3, 4, 5]);
      expect(
        steps.every((e) => e.state === 'revoked' && e.total === 5 && e.request === stream[0]?.request),
      ).toBe(true);
      expect(stream.at(-1)).toMatchObject({ event: 'finished', status: 'done', summary: '5 revoked' });
      const [result] = JSON.parse(run.stdout) as { id: string; steps: unknown[] }[];
      expect(result?.id).toBe(stream[0]?.request);
      expect(result?.steps).toHaveLength(5);
    },
  );

  it(
    'a bulk confirmed with --yes looks each person up once (no preview before the run); without --yes it previews',
    {
      timeout: 60_000,
    },
    async () => {
      const yes = await cli(['revoke', ...people(5), '--reason', 'INC-20 once', '--yes'], env);
      expect(yes.code, yes.stderr).toBe(0);
      expect(yes.stderr).toContain(
        '== 5 people, confirmed with --yes: each system looks each one up as it revokes',
      );
      expect(yes.stderr).toMatch(/=> done: 5 revoked/);
      const lookedUp = mm.requestsTo('user_by_email').map((r) => r.path);
      expect(lookedUp).toHaveLength(5);
      expect(new Set(lookedUp).size).toBe(5);
      // A dry run (nothing confirmed) still shows each person's preview.
      mm.requests.splice(0);
      const dry = await cli(['revoke', ...people(2), '--reason', 'INC-20 dry', '--dry-run'], env);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stderr).toContain('== p0@example.com');
      expect(mm.requestsTo('user_by_email')).toHaveLength(2);
    },
  );

  it('says when a system waits for its vendor budget', { timeout: 60_000 }, async () => {
    // A budget of 4 calls a second: the 3 people's 9 calls wait for it in turn.
    const limited = { ...env, REVOKE_RATE_LIMITS: 'mattermost=4/1s' };
    const run = await cli(['revoke', ...people(3), '--reason', 'INC-20 budget', '--yes', '--json'], limited);
    expect(run.code, run.stderr).toBe(0);
    expect(events(run.stderr).find((e) => e.event === 'budget')).toMatchObject({
      system: 'mattermost',
      waiting: true,
    });
  });

  it.skipIf(!hasScript)(
    'on a terminal, a live line per system is redrawn in place',
    { timeout: 60_000 },
    async () => {
      // Slow enough that the run lasts well over the 1 s before a rate is shown.
      mm.hook = async (_route, when) => {
        if (when === 'before') await new Promise((r) => setTimeout(r, 250));
        return false;
      };
      const inTerminal = (argv: string[]) => [
        'script',
        '-qec',
        argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' '),
        '/dev/null',
      ];
      const run = await spawnCli(
        ['revoke', ...people(12), '--reason', 'INC-20 tty', '--yes'],
        env,
        undefined,
        undefined,
        inTerminal,
      ).done;
      expect(run.code, run.stdout).toBe(0);
      // (script merges the terminal's output into its stdout; ESC is shown as <ESC>.)
      const screen = run.stdout.replaceAll('\u001b', '<ESC>');
      expect(screen).toMatch(/<ESC>\[1A<ESC>\[J {3}Mattermost +\d+\/12 {2}\d+(\.\d)?\/s, ~\d+ s left\r?\n/);
      expect(screen).toMatch(/<ESC>\[1A<ESC>\[J {3}Mattermost +12\/12 {2}done\r?\n/);
      expect(screen).toMatch(/=> done: 12 revoked/);
    },
  );
});
