import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRETS } from '../helpers/harness.js';
import { KNOWN_SECRETS } from '../helpers/known-secrets.js';
import { maskSecrets, scanCaptureDir } from '../helpers/secret-scan.js';

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

  it('finds a planted secret and a token-shaped string, names the file and line, and never prints them', () => {
    const dir = captureDir({
      'log.1.txt': 'request r-1 recorded\nwarn: retrying with xoxp-1234567890-leaked-token-value\n',
      'slack.2.txt': `{"method":"chat.postMessage","args":{"text":"box secret ${KNOWN_SECRETS[3]} here"}}\n`,
      'audit.3.txt': '{"seq":1,"action":"request_created"}\n',
    });
    const report = scanCaptureDir(dir, KNOWN_SECRETS);
    expect(report.counts).toMatchObject({ log: 2, slack: 1, audit: 1, http: 0, cli: 0 });
    expect(report.findings).toHaveLength(2);
    expect(report.findings[0]).toMatch(/^log\.1\.txt:2: /);
    expect(report.findings[1]).toMatch(/^slack\.2\.txt:1: /);
    const printed = report.findings.join('\n');
    expect(printed).not.toContain('xoxp-1234567890-leaked-token-value');
    expect(printed).not.toContain(KNOWN_SECRETS[3]);
  });

  it('passes clean output and ignores files that are not captures', () => {
    const dir = captureDir({
      'http.1.txt': '200 [] {"ok":true}\n',
      'notes.md': `not a capture: ${SECRETS.bot}`,
      'flows-ran.marker.1': '',
    });
    expect(scanCaptureDir(dir, KNOWN_SECRETS)).toEqual({
      counts: { log: 0, slack: 0, http: 1, cli: 0, audit: 0 },
      findings: [],
    });
  });

  it('masks every credential in a context line, keeping only four characters of each', () => {
    const masked = maskSecrets(`a ${SECRETS.bot} b Bearer abcdefghijklmnopqrstuvwxyz c`, KNOWN_SECRETS);
    expect(masked).not.toContain(SECRETS.bot);
    expect(masked).not.toContain('abcdefghijklmnopqrstuvwxyz');
    expect(masked).toContain('[xoxb…');
  });
});
