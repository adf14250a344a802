import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FILE_VARS } from '../../src/config.js';
import { FAKE_SLACK_TOKENS, FakeSlack } from '../fakes/slack.js';
import { captureLines, captureStream } from '../helpers/capture.js';
import { commandOf, inContext, parseDockerfile, type Stage } from './dockerfile.js';

const root = new URL('../..', import.meta.url).pathname;
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8');
const stages = parseDockerfile(dockerfile);
const runtime = stages.at(-1) as Stage;
const run = promisify(execFile);

/** The image's unprivileged user, played here by `nobody` when the tests run as root. */
const STAND_IN = { uid: 65534, gid: 65534 };
const asRoot = process.getuid?.() === 0;

describe('Dockerfile (read)', () => {
  it('is multi-stage: devDependencies only in the build stage, `npm ci --omit=dev` in the runtime stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runs = (s: Stage) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs(runtime).some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(runs(runtime).some((r) => /\bnpm (ci|install)\b(?!.*--omit=dev)/.test(r))).toBe(false);
    expect(runtime.instructions.some((i) => i.keyword === 'COPY' && i.flags.from === stages[0]?.name)).toBe(
      true,
    );
  });

  it('runs as a non-root user, with a HEALTHCHECK on /healthz', () => {
    const keywords = runtime.instructions.map((i) => i.keyword);
    const user = runtime.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    expect(keywords.lastIndexOf('USER')).toBeLessThan(keywords.indexOf('CMD'));
    expect(runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK')?.args).toMatch(/\/healthz/);
  });

  it('puts no secret in a layer: no secret ENV/ARG, and the build context holds only what is copied', () => {
    const declared = stages.flatMap((s) =>
      s.instructions
        .filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')
        .map((i) => i.args.split(/[=\s]/)[0] ?? ''),
    );
    for (const name of declared) {
      expect(FILE_VARS).not.toContain(name);
      expect(name).not.toMatch(/TOKEN|SECRET|PASSWORD|KEY/);
    }
    for (const path of [
      '.env',
      'data/revoke-sessions.db',
      'node_modules/x',
      'dist/main.js',
      '.git/config',
      'test/x.ts',
      'deploy/secrets/slack_bot_token',
    ])
      expect(inContext(dockerignore, path), path).toBe(false);
    const copied = stages.flatMap((s) =>
      s.instructions
        .filter((i) => i.keyword === 'COPY' && !i.flags.from)
        .flatMap((i) => i.args.split(/\s+/).slice(0, -1)),
    );
    expect(copied.length).toBeGreaterThan(0);
    for (const source of copied) expect(inContext(dockerignore, source), source).toBe(true);
  });
});

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The native SQLite binding as prebuild-install's "local prebuilds" (the file a real build
 * downloads from the package's GitHub releases), packed from this checkout's own build: no network.
 */
async function localPrebuild(dir: string): Promise<string> {
  const pkg = JSON.parse(readFileSync(join(root, 'node_modules/better-sqlite3/package.json'), 'utf8')) as {
    version: string;
  };
  const name = `better-sqlite3-v${pkg.version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  mkdirSync(dir, { recursive: true });
  await run('tar', [
    '-czf',
    join(dir, name),
    '-C',
    join(root, 'node_modules/better-sqlite3'),
    'build/Release/better_sqlite3.node',
  ]);
  return dir;
}

describe('Dockerfile (its steps played in a clean folder: no Docker daemon here)', () => {
  const work = mkdtempSync(join(tmpdir(), 'revoke-image-'));
  chmodSync(work, 0o755);
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('installs, builds, starts as a non-root user and answers /healthz; the HEALTHCHECK passes; the demo runs on the production install', async (ctx) => {
    const prebuilds = await localPrebuild(join(work, 'prebuilds'));
    /** Where a stage's filesystem root is. */
    const rootOf = (stage: string) => join(work, 'stages', stage);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      // The machine's npm cache plays the build's cache mount; nothing is fetched.
      npm_config_offline: 'true',
      npm_config_better_sqlite3_local_prebuilds: prebuilds,
    };
    let workdir = '/';
    let user = 'root';
    let cmd: string[] = [];
    let healthcheck: string[] = [];
    for (const stage of stages) {
      mkdirSync(rootOf(stage.name), { recursive: true, mode: 0o755 });
      workdir = '/';
      const here = () => join(rootOf(stage.name), workdir);
      for (const { keyword, flags, args } of stage.instructions) {
        // Flags of the build or of Docker's scheduling: the cache mount is the machine's npm cache here.
        const known =
          { RUN: ['mount'], COPY: ['from'], HEALTHCHECK: ['interval', 'timeout', 'start-period', 'retries'] }[
            keyword as 'RUN' | 'COPY' | 'HEALTHCHECK'
          ] ?? [];
        for (const flag of Object.keys(flags))
          expect(known, `${keyword} --${flag} is not played by this test`).toContain(flag);
        if (keyword === 'WORKDIR') {
          workdir = posix.resolve(workdir, args);
          mkdirSync(here(), { recursive: true, mode: 0o755 });
        } else if (keyword === 'ENV') {
          const [name, value] = args.split('=');
          if (name) env[name] = value ?? '';
        } else if (keyword === 'COPY') {
          // Docker's COPY: a folder's contents go into the target; files go into it when it is a folder.
          const parts = args.split(/\s+/);
          const dest = parts.pop() ?? '.';
          const target = join(rootOf(stage.name), posix.resolve(workdir, dest));
          const intoFolder = dest.endsWith('/') || parts.length > 1;
          for (const source of parts) {
            const from = flags.from
              ? join(rootOf(flags.from), posix.resolve('/', source))
              : join(root, source);
            const to =
              statSync(from).isDirectory() || !intoFolder ? target : join(target, posix.basename(source));
            cpSync(from, to, { recursive: true });
          }
        } else if (keyword === 'RUN') {
          // The image's user `node` does not exist on this machine: its stand-in owns what it would own.
          const script = args.replace(/\bnode:node\b/g, `${STAND_IN.uid}:${STAND_IN.gid}`);
          try {
            const out = await run('/bin/sh', ['-c', script], {
              cwd: here(),
              env,
              maxBuffer: 32 * 1024 * 1024,
            });
            captureLines('cli', out.stdout + out.stderr);
          } catch (error) {
            const text = String((error as { stderr?: string }).stderr ?? error);
            if (/ENOTCACHED|no cached|cache mode is 'only-if-cached'/i.test(text)) {
              ctx.skip(
                `npm's cache cannot serve \`${script}\` offline (run \`npm ci\` once with network first)`,
              );
            }
            throw new Error(`RUN ${script} failed:\n${text}`);
          }
        } else if (keyword === 'USER') user = args;
        else if (keyword === 'CMD') cmd = commandOf(args);
        else if (keyword === 'HEALTHCHECK') healthcheck = commandOf(args.replace(/^.*?\bCMD\s+/, ''));
        else if (keyword !== 'EXPOSE')
          throw new Error(
            `${keyword} is not played by this test: teach it, or keep the Dockerfile to what it plays`,
          );
      }
    }
    expect(user).not.toBe('root');
    const app = join(rootOf(runtime.name), workdir);
    expect(existsSync(join(app, 'node_modules/typescript')), 'devDependencies in the runtime stage').toBe(
      false,
    );
    expect(existsSync(join(app, 'src')), 'sources in the runtime stage').toBe(false);

    // Start it as the image would: the user of USER, secrets from files, the default SQLite store.
    const slack = new FakeSlack({ botToken: FAKE_SLACK_TOKENS.bot });
    await slack.start();
    try {
      const secrets = join(work, 'secrets');
      mkdirSync(secrets, { mode: 0o755 });
      writeFileSync(join(secrets, 'bot'), `${FAKE_SLACK_TOKENS.bot}\n`, { mode: 0o644 });
      writeFileSync(join(secrets, 'signing'), 'signing-secret-0123456789abcdef\n', { mode: 0o644 });
      const port = await freePort();
      const appEnv = {
        PATH: env.PATH ?? '',
        NODE_ENV: env.NODE_ENV ?? '',
        PORT: String(port),
        SLACK_API_URL: slack.url,
        SLACK_BOT_TOKEN_FILE: join(secrets, 'bot'),
        SLACK_SIGNING_SECRET_FILE: join(secrets, 'signing'),
        REVOKE_REQUESTERS: 'U0123ABC',
      };
      const asUser = (argv: string[]) =>
        asRoot
          ? ['setpriv', `--reuid=${STAND_IN.uid}`, `--regid=${STAND_IN.gid}`, '--clear-groups', '--', ...argv]
          : argv;
      const [bin, ...rest] = asUser(cmd);
      const proc = spawn(bin ?? '', rest, { cwd: app, env: appEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(proc);
      captureStream('log', proc.stdout);
      captureStream('log', proc.stderr);
      let output = '';
      proc.stderr.on('data', (d: Buffer) => {
        output += d.toString();
      });
      let health: Response | undefined;
      for (let i = 0; i < 300 && !health && proc.exitCode === null; i++) {
        health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 50));
      }
      expect(health?.status, output).toBe(200);
      expect(((await health?.json()) as { status: string }).status).toBe('ok');
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status, output).toBe(200);
      // The store was created where the image keeps it, by the unprivileged user.
      expect(existsSync(join(app, 'data/revoke-sessions.db'))).toBe(true);
      const [hcBin, ...hcArgs] = asUser(healthcheck);
      await expect(run(hcBin ?? '', hcArgs, { cwd: app, env: appEnv })).resolves.toBeDefined();
      // The demo needs nothing beyond the production install.
      const [demoBin, ...demoArgs] = asUser(['node', 'dist/cli/main.js', 'demo']);
      const demo = await run(demoBin ?? '', demoArgs, { cwd: app, env: { PATH: appEnv.PATH } });
      captureLines('cli', demo.stdout);
      expect(demo.stdout).toMatch(/^ {3}OK: \d+ audit records, hash chain intact\.$/m);
      proc.kill('SIGTERM');
      const code = await new Promise((r) => (proc.exitCode === null ? proc.on('exit', r) : r(proc.exitCode)));
      expect(code, output).toBe(0);
    } finally {
      await slack.close();
    }
  }, 240_000);
});
