import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SYSTEMS } from '../../src/providers/registry.js';
import { captureStream } from '../helpers/capture.js';
import { cli } from './run.js';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const root = new URL('../..', import.meta.url).pathname;

/** What a system must end in: an asynchronous job nothing can list is honestly `QUEUED`, the rest `REVOKED`. */
const expectedWord = (s: (typeof SYSTEMS)[number]) =>
  s.capabilities.asyncRevoke && !s.capabilities.listSessions ? 'QUEUED' : 'REVOKED';

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The demo's numbered sections ("4. Revocation — …") by number. */
function sections(stdout: string): Map<number, string[]> {
  const found = new Map<number, string[]>();
  let current = 0;
  for (const line of stdout.split('\n')) {
    const header = /^(\d+)\. /.exec(line);
    if (header) current = Number(header[1]);
    found.set(current, [...(found.get(current) ?? []), line]);
  }
  return found;
}

describe('revoke-sessions demo', () => {
  it('walks one request through the real engine: every system revoked, verified by listing, audit verify OK', async () => {
    const run = await cli(['demo'], {});
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const parts = sections(run.stdout);
    // 2. the preview lists alice's sessions wherever a system can list them.
    for (const s of SYSTEMS.filter((x) => x.capabilities.listSessions))
      expect(parts.get(2)?.join('\n')).toMatch(
        new RegExp(`^ {3}${literal(s.label)}: \\S+ — 2 session\\(s\\)$`, 'm'),
      );
    // 3. four eyes: the requester's own approval is refused, the approver's accepted.
    expect(parts.get(3)?.join('\n')).toMatch(/bob approves his own request: refused — .*four eyes/);
    expect(parts.get(3)?.join('\n')).toMatch(/carol approves: approved$/m);
    // 4. one line per system with its final state.
    const revocation = parts.get(4)?.join('\n') ?? '';
    for (const s of SYSTEMS) {
      const line = new RegExp(`^ {3}${literal(s.label)} +([A-Z_]+) `, 'm').exec(revocation);
      expect(line?.[1], `${s.label} in:\n${revocation}`).toBe(expectedWord(s));
    }
    expect(revocation).toMatch(/^ {3}=> done: /m);
    // 5. every system that lists sessions lists none now.
    const verification = parts.get(5)?.join('\n') ?? '';
    for (const s of SYSTEMS.filter((x) => x.capabilities.listSessions))
      expect(verification).toMatch(new RegExp(`^ {3}${literal(s.label)}: \\S+ — 0 session\\(s\\)$`, 'm'));
    // 6. the audit log's chain verifies.
    expect(parts.get(6)?.join('\n')).toMatch(/^ {3}OK: \d+ audit records, hash chain intact\.$/m);
  });

  it('--json: one document with each system’s state, what is left, and the audit verdict', async () => {
    const run = await cli(['demo', '--json'], {});
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      ok: boolean;
      request: { status: string };
      steps: { system: string; state: string; remaining: number | null }[];
      auditVerified: boolean;
    };
    expect(result.ok).toBe(true);
    expect(result.request.status).toBe('done');
    expect(result.auditVerified).toBe(true);
    expect(result.steps.map((s) => s.system)).toEqual(SYSTEMS.map((s) => s.id));
    for (const s of SYSTEMS) {
      const step = result.steps.find((x) => x.system === s.id);
      expect(step?.state).toBe(expectedWord(s).toLowerCase());
      expect(step?.remaining).toBe(s.capabilities.listSessions ? 0 : null);
    }
    // The story went to stderr.
    expect(run.stderr).toMatch(/^4\. Revocation/m);
  });

  it('--port only goes with --slack', async () => {
    const run = await cli(['demo', '--port', '3999'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--port goes with --slack/);
  });
});

/** Runs one printed curl line in a shell where `npx revoke-sessions` is this checkout's CLI. */
async function runPrinted(line: string): Promise<string> {
  const shim = `npx() { shift; node --import ${JSON.stringify(import.meta.resolve('tsx'))} ${JSON.stringify(main)} "$@"; }`;
  const { stdout } = await promisify(execFile)('bash', ['-c', `${shim}\n${line}`], { cwd: root });
  return stdout;
}

describe('revoke-sessions demo --slack', () => {
  it('prints curl lines that drive the real app as Slack would: command, form, approval, results thread', async () => {
    const proc = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), main, 'demo', '--slack', '--port', '0'],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    captureStream('cli', proc.stdout);
    captureStream('cli', proc.stderr);
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
    /** The nth printed curl line (1-based), once it is there. */
    const curl = async (n: number) => {
      for (let i = 0; i < 1500; i++) {
        const lines = out.split('\n').filter((l) => l.startsWith("   B='"));
        if (lines[n - 1]) return lines[n - 1]?.trim() ?? '';
        if (proc.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no curl line ${n} in:\n${out}`);
    };
    try {
      // Each is acknowledged with an empty 200 (a refused form would answer its errors).
      expect(await runPrinted(await curl(1))).toBe('\n'); // the command
      expect(await runPrinted(await curl(2))).toBe('\n'); // the form
      expect(await runPrinted(await curl(3))).toBe('\n'); // carol approves on the card
      const revoked = SYSTEMS.filter((s) => expectedWord(s) === 'REVOKED').length;
      const summary = `${revoked} revoked, ${SYSTEMS.length - revoked} queued`;
      for (let i = 0; i < 500 && !out.includes(`dave@example.com: ${summary}`); i++)
        await new Promise((r) => setTimeout(r, 20));
      const slack = out.split('\n').filter((l) => l.includes('Slack ← '));
      expect(slack.some((l) => /views\.open: bob sees the request form/.test(l))).toBe(true);
      expect(slack.some((l) => /message in C0SECURITY: .*pending approval/.test(l))).toBe(true);
      for (const s of SYSTEMS)
        expect(slack, s.label).toContain(
          `   Slack ← thread reply: ${s.label}: ${expectedWord(s).toLowerCase()}`,
        );
      expect(slack).toContain(
        `   Slack ← message updated: Revoking sessions for dave@example.com: ${summary}`,
      );
    } finally {
      proc.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(/^Done: the fakes are stopped/m);
  }, 60_000);
});
