import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPECTED_OUTPUT, judgeScan } from '../global/secrets-scan.js';
import { lineCapture } from '../helpers/capture.js';
import { SECRETS } from '../helpers/harness.js';
import { ISSUED_TOKEN_PATTERNS, KNOWN_SECRETS } from '../helpers/known-secrets.js';
import { findSecrets, maskSecrets, scanCaptureDir, TOKEN_PATTERNS } from '../helpers/secret-scan.js';

const PATTERNS = [...TOKEN_PATTERNS, ...ISSUED_TOKEN_PATTERNS];
const NO_COUNTS = { log: 0, slack: 0, http: 0, cli: 0, audit: 0, console: 0 };

describe('the whole-run secrets scan', () => {
  const dirs: string[] = [];
  const captureDir = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'revoke-scan-test-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const everyFileExists = () => true;

  it('finds a planted secret and a token-shaped string, names the output and test file, never prints them', () => {
    const dir = captureDir({
      'reach.1.txt': 'test/slack/flow.test.ts\n',
      'log.1.txt': 'request r-1 recorded\nwarn: retrying with xoxp-1234567890-leaked-token-value\n',
      'slack.2.txt': `{"method":"chat.postMessage","args":{"text":"box secret ${KNOWN_SECRETS[3]} here"}}\n`,
      'audit.3.txt': '{"seq":1,"action":"request_created"}\n',
    });
    const report = scanCaptureDir(dir, KNOWN_SECRETS, PATTERNS);
    expect(report.counts).toEqual({ ...NO_COUNTS, log: 2, slack: 1, audit: 1 });
    expect(report.findings).toHaveLength(2);
    expect(report.findings[0]).toMatch(/^log output of test\/slack\/flow\.test\.ts \(log\.1\.txt:2\): /);
    expect(report.findings[1]).toMatch(/^slack output of \(main process\) \(slack\.2\.txt:1\): known secret/);
    const printed = report.findings.join('\n');
    expect(printed).not.toContain('xoxp-1234567890-leaked-token-value');
    expect(printed).not.toContain(KNOWN_SECRETS[3]);

    // The teardown's verdict on it: the run fails, and its report shows masks only.
    const { problems, summary } = judgeScan(report, [], everyFileExists);
    expect(summary).toMatch(/^secrets scan: 2 credentials in 2 log lines, 1 Slack calls/);
    expect(problems[0]).toBe('2 credential(s) in what the app produced:');
    expect(problems.join('\n')).toContain('[xoxp…');
    expect(problems.join('\n')).not.toContain('leaked-token-value');
    expect(problems.join('\n')).not.toContain(KNOWN_SECRETS[3]);
  });

  it('finds every kind of credential the tests use, and each credential shape', () => {
    for (const secret of KNOWN_SECRETS) {
      const found = findSecrets(`{"text":"a ${secret} b"}`, KNOWN_SECRETS, PATTERNS);
      expect(found.length, secret.slice(0, 4)).toBeGreaterThan(0);
      expect(found.join('\n')).not.toContain(secret);
    }
    const shapes = [
      'xoxb-999-888-notalistedtoken',
      'xapp-1-A0123-4567-abcdefabcdef',
      'xwfp-1111-2222-functiontoken',
      'authorization: Bearer abcdefghijklmnop1234',
      'Authorization: Basic dXNlcjpwYXNzd29yZGhlcmU=',
      '"authorization":"SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ab"',
      'X-Security-Token: some-sts-token',
      'grant_type=client_credentials&client_secret=s3cr3t-value',
      '{"access_token":"issued-token-value"}',
      '-----BEGIN RSA PRIVATE KEY-----',
      'DATABASE_URL=postgres://app:hunter22@db:5432/revoke',
      'token box-access-token-7 issued',
      'session SESSION-TOKEN-2 listed',
    ];
    for (const shape of shapes) expect(findSecrets(shape, [], PATTERNS), shape).not.toEqual([]);
  });

  it('lets the app’s redacted output and ordinary text through', () => {
    const clean = [
      '2026-11-22T10:00:00.000Z WARN [revoke-sessions] Box: 401, authorization: Bearer [REDACTED]',
      'x-security-token: [REDACTED] client_secret=[REDACTED]',
      '{"ok":false,"error":"not_allowed_token_type"}',
      'Revoke this person in the Huawei Cloud console.',
      'postgres://postgres@127.0.0.1:5432/test',
    ];
    for (const line of clean) expect(findSecrets(line, KNOWN_SECRETS, PATTERNS), line).toEqual([]);
  });

  it('passes clean output, ignores files that are not captures, and says how much it read', () => {
    const dir = captureDir({
      'reach.1.txt': 'test/a.test.ts\n',
      'http.1.txt': '200 [] {"ok":true}\n',
      'notes.md': `not a capture: ${SECRETS.bot}`,
    });
    const report = scanCaptureDir(dir, KNOWN_SECRETS, PATTERNS);
    expect(report).toMatchObject({
      counts: { ...NO_COUNTS, http: 1 },
      findings: [],
      reached: ['test/a.test.ts'],
    });
    const { problems, summary } = judgeScan(
      report,
      [{ file: 'test/a.test.ts', state: 'passed', complete: true }],
      everyFileExists,
    );
    expect(problems).toEqual([]);
    expect(summary).toBe(
      'secrets scan: 0 credentials in 0 log lines, 0 Slack calls, 1 HTTP answers, 0 CLI output lines, 0 audit rows, 0 console lines (1 test files)',
    );
  });

  it('fails a run whose capture is empty where it cannot be: a test file not reached, a kind of output missing', () => {
    const flows = 'test/resilience/no-secrets.test.ts';
    expect(EXPECTED_OUTPUT[flows]).toContain('slack');
    const dir = captureDir({
      'reach.1.txt': `${flows}\n`,
      'log.1.txt': 'a log line\n',
      'http.1.txt': '200 [] {}\n',
      'audit.1.txt': '{"seq":1}\n',
    });
    const ran = [
      { file: flows, state: 'passed', complete: true },
      { file: 'test/config.test.ts', state: 'passed', complete: true },
      { file: 'test/store/postgres.test.ts', state: 'skipped', complete: false },
      // Filtered with -t: only some of its tests ran, so its output may be missing.
      { file: 'test/cli/cli.test.ts', state: 'passed', complete: false },
    ];
    const { problems } = judgeScan(scanCaptureDir(dir, KNOWN_SECRETS, PATTERNS), ran, everyFileExists);
    expect(problems).toEqual([
      'the capture folder did not reach 2 test file(s) that ran, so their output was not scanned: test/config.test.ts, test/cli/cli.test.ts',
      `nothing captured of Slack calls from ${flows}, which always produces them: the capture is broken`,
      'nothing captured of log lines from test/config.test.ts, which always produces them: the capture is broken',
    ]);
    // Nothing captured at all (the folder never reached the workers) fails the same way.
    const empty = judgeScan(scanCaptureDir(captureDir({}), KNOWN_SECRETS, PATTERNS), ran, everyFileExists);
    expect(empty.problems[0]).toMatch(/did not reach 3 test file\(s\)/);
    // A test file the table names that no longer exists must be followed.
    const renamed = judgeScan(scanCaptureDir(dir, KNOWN_SECRETS, PATTERNS), [], (f) => f !== flows);
    expect(renamed.problems).toEqual([
      `${flows} is gone: point EXPECTED_OUTPUT (test/global/secrets-scan.ts) at its successor`,
    ]);
  });

  it('masks every credential in a context line, keeping only four characters of each', () => {
    const masked = maskSecrets(`a ${SECRETS.bot} b Bearer abcdefghijklmnopqrstuvwxyz c`, KNOWN_SECRETS);
    expect(masked).not.toContain(SECRETS.bot);
    expect(masked).not.toContain('abcdefghijklmnopqrstuvwxyz');
    expect(masked).toContain('[xoxb…');
  });

  it('captures a child process’s output by whole lines, so a token split across two chunks is still found', () => {
    const dir = captureDir({});
    const previous = process.env.REVOKE_TEST_CAPTURE_DIR;
    process.env.REVOKE_TEST_CAPTURE_DIR = dir;
    try {
      const lines = lineCapture('log');
      const half = Math.floor(SECRETS.admin.length / 2);
      lines.write(`first line\nleak: ${SECRETS.admin.slice(0, half)}`);
      lines.write(`${SECRETS.admin.slice(half)} end\nlast, unterminated`);
      lines.end();
    } finally {
      process.env.REVOKE_TEST_CAPTURE_DIR = previous;
    }
    const report = scanCaptureDir(dir, KNOWN_SECRETS, PATTERNS);
    expect(report.counts.log).toBe(3);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toContain('known secret [xoxp…');
  });
});
