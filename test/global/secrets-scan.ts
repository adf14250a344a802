/**
 * Global set-up for `npm test`: gives the whole run one capture folder (see
 * test/helpers/capture.ts), and after the last test file scans everything the
 * app produced in it — log lines, Slack calls, HTTP answers, CLI output, audit
 * rows — for every credential the tests use. A finding fails the run.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPTURE_KINDS } from '../helpers/capture.js';
import { ISSUED_TOKEN_PATTERNS, KNOWN_SECRETS } from '../helpers/known-secrets.js';
import { scanCaptureDir, TOKEN_PATTERNS } from '../helpers/secret-scan.js';

/** Written by the flows test (test/resilience/no-secrets.test.ts): every kind of output must then be present. */
export const FLOWS_MARKER = 'flows-ran.marker';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'revoke-capture-'));
  process.env.REVOKE_TEST_CAPTURE_DIR = dir;
  return () => {
    // Vitest logs an error thrown here ("error during close") but keeps the exit code of the
    // tests, so a finding also sets the exit code: the run (and CI) goes red.
    try {
      const report = scanCaptureDir(dir, KNOWN_SECRETS, [...TOKEN_PATTERNS, ...ISSUED_TOKEN_PATTERNS]);
      const summary = CAPTURE_KINDS.map((k) => `${report.counts[k]} ${k}`).join(', ');
      if (report.findings.length > 0) {
        throw new Error(
          `secrets scan: ${report.findings.length} credential(s) in what the app produced (${summary}):\n${report.findings.slice(0, 50).join('\n')}`,
        );
      }
      const flowsRan = readdirSync(dir).some((f) => f.startsWith(FLOWS_MARKER));
      const empty = CAPTURE_KINDS.filter((k) => k !== 'cli' && report.counts[k] === 0);
      if (flowsRan && empty.length > 0) {
        throw new Error(
          `secrets scan: nothing captured of ${empty.join(', ')} although the flows ran — the capture is broken, so the scan proves nothing (${summary})`,
        );
      }
      process.stdout.write(`secrets scan: 0 credentials in ${summary} records\n`);
    } catch (error) {
      process.exitCode = 1;
      throw error;
    } finally {
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    }
  };
}
