/**
 * Benchmark 5 — start-up and install size. `node dist/main.js` (built with
 * `npm run build` first when dist/ is missing) from spawn to answering
 * `GET /healthz`, with a valid environment pointing at a local fake Slack and
 * a fresh SQLite file; then the size of node_modules and of the production
 * dependency closure from package-lock.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSlack } from '../test/fakes/slack.js';
import { SECRETS } from '../test/helpers/harness.js';
import { freePort, startChild } from './lib/children.js';
import { REPO } from './lib/paths.js';
import type { Benchmark, Section } from './lib/section.js';
import { ms, summarize } from './lib/stats.js';
import { sleep } from './lib/wait.js';
import { appEnv, seedDirectory } from './slack-payloads.js';

const RUNS = 5;
const TARGET_MS = 1_500;

/** Spawn → first 200 from GET /healthz (polled every 5 ms), in ms. */
async function oneStart(slackUrl: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'revoke-bench-start-'));
  const port = await freePort();
  const t0 = performance.now();
  const child = startChild([join(REPO, 'dist', 'main.js')], {
    env: { ...appEnv(slackUrl, join(dir, 'data', 'revoke.db')), PORT: String(port) },
    cwd: dir, // an empty folder: no developer .env is read
    ready: /(listening)/,
    timeoutMs: 30_000,
  });
  try {
    for (;;) {
      if (child.proc.exitCode !== null) throw new Error(`dist/main.js exited:\n${child.output.join('')}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        await res.arrayBuffer();
        if (res.status === 200) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      if (performance.now() - t0 > 30_000) throw new Error('no /healthz answer within 30 s');
      await sleep(5);
    }
  } finally {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** du-style size (allocated 1 KiB blocks) of a folder, not descending into nested node_modules. */
function sizeKiB(path: string, skipNested: boolean): number {
  let total = 0;
  const walk = (p: string) => {
    const st = lstatSync(p);
    total += st.blocks * 512;
    if (!st.isDirectory()) return;
    for (const name of readdirSync(p)) {
      if (skipNested && name === 'node_modules') continue;
      walk(join(p, name));
    }
  };
  walk(path);
  return total / 1024;
}

interface LockPackage {
  dev?: boolean;
  devOptional?: boolean;
  link?: boolean;
}

function installSizes() {
  const duTotal = Number(
    execFileSync('du', ['-sk', 'node_modules'], { cwd: REPO, encoding: 'utf8' }).split(/\s+/)[0],
  );
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockPackage>;
  };
  let prodKiB = 0;
  let prodCount = 0;
  let missing = 0;
  let all = 0;
  for (const [key, pkg] of Object.entries(lock.packages)) {
    if (!key.startsWith('node_modules/')) continue;
    all += 1;
    if (pkg.dev || pkg.devOptional || pkg.link) continue;
    const folder = join(REPO, key);
    if (!existsSync(folder)) {
      missing += 1; // optional platform packages not installed here
      continue;
    }
    prodCount += 1;
    prodKiB += sizeKiB(folder, true);
  }
  return { duTotal, prodKiB, prodCount, missing, all };
}

const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;

async function run(): Promise<Section> {
  const started = performance.now();
  const notes: string[] = [];
  if (!existsSync(join(REPO, 'dist', 'main.js'))) {
    process.stdout.write('  [startup] dist/main.js missing: npm run build\n');
    execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
    notes.push('dist/ was missing and was built with `npm run build` first.');
  } else {
    notes.push(
      'dist/ was already built; it was used as it was (run `npm run build` first to measure fresh code).',
    );
  }
  const slack = new FakeSlack({
    botToken: SECRETS.bot,
    adminToken: SECRETS.admin,
    memberChannels: ['C0SEC'],
  });
  seedDirectory(slack);
  await slack.start();
  const times: number[] = [];
  try {
    await oneStart(slack.url); // warm the file cache; not counted
    for (let i = 0; i < RUNS; i++) {
      const t = await oneStart(slack.url);
      times.push(t);
      process.stdout.write(`  [startup] run ${i + 1}: ${ms(t)}\n`);
    }
  } finally {
    await slack.close();
  }
  const s = summarize(times);
  const size = installSizes();
  return {
    id: 'startup',
    title: '5. Start-up and install size',
    method: [
      `\`node dist/main.js\` spawned ${RUNS} times (after one uncounted warm-up start), each in an empty temporary folder with a fresh SQLite file (so migrations run every time) and a valid environment: HTTP mode, Slack only, SLACK_API_URL pointing at a local fake Slack.`,
      'Measured from spawn to the first 200 from `GET /healthz` (polled every 5 ms); the process is then stopped with SIGTERM.',
      'Install size: `du -sk node_modules`, and the production dependency closure — every package in package-lock.json not marked dev/devOptional, summing its installed folder (allocated blocks, like du) without its nested node_modules, which are counted as their own entries.',
    ].join(' '),
    rows: [
      {
        metric: `start-up to /healthz, worst of ${RUNS}`,
        measured: ms(s.max),
        target: `< ${TARGET_MS} ms`,
        pass: s.max < TARGET_MS,
      },
      {
        metric: `start-up to /healthz, median of ${RUNS}`,
        measured: ms(s.p50),
        target: `< ${TARGET_MS} ms`,
        pass: s.p50 < TARGET_MS,
      },
      { metric: 'node_modules total (du -sk, dev + prod)', measured: mib(size.duTotal) },
      {
        metric: `production dependency closure (${size.prodCount} packages)`,
        measured: mib(size.prodKiB),
      },
    ],
    details: [
      {
        title: 'Start-up runs (ms)',
        headers: times.map((_, i) => `run ${i + 1}`),
        rows: [times.map((t) => t.toFixed(1))],
      },
    ],
    notes: [
      ...notes,
      `package-lock.json lists ${size.all} installed packages; ${size.prodCount} are production dependencies${size.missing ? ` (${size.missing} optional ones are not installed on this platform)` : ''}.`,
    ],
    durationMs: performance.now() - started,
  };
}

export const startup: Benchmark = { id: 'startup', title: '5. Start-up and install size', run };
