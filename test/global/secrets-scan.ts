/**
 * Global set-up for `npm test`: gives the whole run one capture folder (see
 * test/helpers/capture.ts; the forked workers and the app processes they
 * start inherit REVOKE_TEST_CAPTURE_DIR), and after the last test file scans
 * everything the app produced in it — log lines, Slack calls, HTTP answers,
 * CLI output, audit rows, console output — for every credential the tests use
 * and for credential shapes. A finding, or a capture that is missing where the
 * run must have produced output, fails the run.
 *
 * REVOKE_TEST_KEEP_CAPTURE=1 keeps the folder after a clean run (it is always
 * kept after a failed scan, to look into).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { TestProject } from 'vitest/node';
import { CAPTURE_KINDS, type CaptureKind } from '../helpers/capture.js';
import { ISSUED_TOKEN_PATTERNS, KNOWN_SECRETS } from '../helpers/known-secrets.js';
import { type ScanReport, scanCaptureDir, TOKEN_PATTERNS } from '../helpers/secret-scan.js';

/**
 * Output these test files always produce when all their tests ran and passed
 * (a run filtered with `-t`, or without PostgreSQL, may skip the tests that
 * produce it). If one did and its capture holds none of a kind, the capture
 * is broken and the scan would prove nothing, so the run fails. (A file
 * renamed away fails the run too, until this table follows it.)
 */
export const EXPECTED_OUTPUT: Record<string, CaptureKind[]> = {
  'test/resilience/no-secrets.test.ts': ['log', 'slack', 'http', 'audit'],
  'test/slack/flow.test.ts': ['log', 'slack', 'http', 'audit'],
  'test/cli/cli.test.ts': ['cli', 'slack', 'audit'],
  'test/config.test.ts': ['log'],
  'test/resilience/crash-resume.test.ts': ['log', 'slack', 'audit'],
  'test/resilience/replicas.test.ts': ['slack', 'http', 'audit'],
  'test/store/sqlite.test.ts': ['audit'],
  'test/store/postgres.test.ts': ['audit'],
  'test/providers/box.test.ts': ['log'],
};

const LABELS: Record<CaptureKind, string> = {
  log: 'log lines',
  slack: 'Slack calls',
  http: 'HTTP answers',
  cli: 'CLI output lines',
  audit: 'audit rows',
  console: 'console lines',
};

/** A test file of the run and its outcome. */
export interface RanFile {
  file: string;
  /** Vitest's module state: passed, failed, skipped… */
  state: string;
  /** Every test of the file ran and passed (none skipped or filtered out). */
  complete: boolean;
}

/**
 * Judges a scan: the problems (findings with masked excerpts, captures that
 * did not reach a test file, expected output that is missing) and the one-line
 * summary. Pure, so that test/resilience/secrets-scanner.test.ts can show it fails.
 */
export function judgeScan(
  report: ScanReport,
  ran: readonly RanFile[],
  fileExists: (file: string) => boolean,
): { problems: string[]; summary: string } {
  const problems: string[] = [];
  const shown = 40;
  if (report.findings.length > 0) {
    problems.push(
      `${report.findings.length} credential(s) in what the app produced:`,
      ...report.findings.slice(0, shown).map((f) => `  ${f}`),
    );
    if (report.findings.length > shown) problems.push(`  … and ${report.findings.length - shown} more`);
  }
  const passed = ran.filter((r) => r.state === 'passed').map((r) => r.file);
  const unreached = passed.filter((f) => !report.reached.includes(f));
  if (unreached.length > 0) {
    problems.push(
      `the capture folder did not reach ${unreached.length} test file(s) that ran, so their output was not scanned: ${unreached.join(', ')}`,
    );
  }
  for (const [file, kinds] of Object.entries(EXPECTED_OUTPUT)) {
    if (!fileExists(file)) {
      problems.push(`${file} is gone: point EXPECTED_OUTPUT (test/global/secrets-scan.ts) at its successor`);
      continue;
    }
    if (!ran.some((r) => r.file === file && r.state === 'passed' && r.complete)) continue;
    const produced: Partial<Record<CaptureKind, number>> = {};
    for (const [owner, counts] of Object.entries(report.byTestFile)) {
      if (!owner.split(', ').includes(file)) continue;
      for (const k of CAPTURE_KINDS) produced[k] = (produced[k] ?? 0) + (counts[k] ?? 0);
    }
    const missing = kinds.filter((k) => !produced[k]);
    if (missing.length > 0) {
      problems.push(
        `nothing captured of ${missing.map((k) => LABELS[k]).join(', ')} from ${file}, which always produces them: the capture is broken`,
      );
    }
  }
  const totals = CAPTURE_KINDS.map((k) => `${report.counts[k]} ${LABELS[k]}`).join(', ');
  const summary = `secrets scan: ${report.findings.length} credentials in ${totals} (${report.reached.length} test files)`;
  return { problems, summary };
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'revoke-capture-'));
  process.env.REVOKE_TEST_CAPTURE_DIR = dir;
  const root = project.config.root;
  return () => {
    let keep = process.env.REVOKE_TEST_KEEP_CAPTURE === '1';
    try {
      const modules = project.vitest?.state?.getTestModules?.();
      if (!modules)
        throw new Error('secrets scan: cannot list the test files of this run (vitest API changed?)');
      const ran = modules.map((m) => {
        const tests = [...m.children.allTests()];
        const complete = tests.length > 0 && tests.every((t) => t.result().state === 'passed');
        return { file: relative(root, m.moduleId), state: m.state(), complete };
      });
      const report = scanCaptureDir(dir, KNOWN_SECRETS, [...TOKEN_PATTERNS, ...ISSUED_TOKEN_PATTERNS]);
      const { problems, summary } = judgeScan(report, ran, (f) => existsSync(join(root, f)));
      if (problems.length > 0) {
        keep = true;
        throw new Error(`${summary}\nsecrets scan FAILED (capture kept in ${dir}):\n${problems.join('\n')}`);
      }
      process.stdout.write(`${summary}\n`);
    } catch (error) {
      // Vitest reports an error thrown here ("error during close") but keeps the exit code of
      // the tests, so the exit code is set as well: `npm test` (and CI) goes red.
      process.exitCode = 1;
      throw error;
    } finally {
      if (!keep && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    }
  };
}
