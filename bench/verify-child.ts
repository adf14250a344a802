/**
 * `audit verify` in a process of its own, for the growth benchmark: runs the real CLI command
 * (in process, its output captured) on DATABASE_URL and prints one JSON line with its wall time,
 * the process's peak resident memory and the CLI's answer. With `--whole`, verifies instead as
 * the CLI did before it streamed: the whole log read into memory first (for comparison).
 */
import { runCli } from '../src/cli/index.js';
import { verifyChain } from '../src/engine/audit-chain.js';
import { createStore } from '../src/store/index.js';

const started = performance.now();
let answer = '';
if (process.argv.includes('--whole')) {
  const store = await createStore(process.env.DATABASE_URL ?? '');
  answer = JSON.stringify(verifyChain(await store.listAudit()));
  await store.close();
} else {
  const code = await runCli(['audit', 'verify', '--json'], process.env, {
    out: (line) => {
      answer += line;
    },
    err: (line) => process.stderr.write(`${line}\n`),
  });
  if (code !== 0) throw new Error(`audit verify exited ${code}: ${answer}`);
}
const ms = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({ ms, maxRssKiB: process.resourceUsage().maxRSS, answer: JSON.parse(answer) })}\n`,
);
