import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/engine/store-port/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { captureSqliteAudit } from '../helpers/capture.js';
import { newRequest } from '../store/contract.js';
import { cli } from './run.js';

/** RFC 4180 read back independently of the writer: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0)
    throw new Error(`a record does not end with CRLF: ${JSON.stringify(row)}`);
  return rows;
}

const DAY1 = '2026-11-22T10:00:00.000Z';
const DAY1_LATE = '2026-11-22T23:59:59.000Z';
const DAY2 = '2026-11-23T00:00:00.000Z';
/** More than two of the CLI's pages. */
const FILLER = 2_100;

describe('audit export an auditor can use (the real CLI on a SQLite store)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'revoke-cli-audit-'));
  const url = `sqlite:${join(dir, 'audit.db')}`;
  const env = { DATABASE_URL: url };
  let all: AuditRecord[] = [];

  beforeAll(async () => {
    const store = new SqliteStore(join(dir, 'audit.db'));
    await store.migrate();
    await store.createRequest('r-1', newRequest(), 'pending_approval', DAY1, {
      audit: {
        actor: 'slack:UREQ',
        action: 'request_created',
        data: { reason: 'INC-1, "quoted"\nsecond line' },
      },
    });
    await store.createRequest(
      'r-2',
      newRequest({ requester: { kind: 'cli', id: 'ops' }, target: { email: 'carol@example.com' } }),
      'approved',
      DAY1,
      { audit: { actor: 'cli:ops', action: 'request_created' } },
    );
    await store.appendAudit({ actor: '=HYPERLINK("http://evil.example")', action: 'x_formula' }, DAY1);
    await store.appendAudit({ requestId: 'r-1', actor: 'slack:UAPP', action: 'request_approved' }, DAY1_LATE);
    for (let i = 0; i < FILLER; i++)
      await store.appendAudit({ actor: 'system', action: 'filler', data: { i } }, DAY2);
    await store.appendAudit({ requestId: 'r-1', actor: '+cmd', action: 'run_finished' }, DAY2);
    all = await store.listAudit();
    await store.close();
  }, 60_000);
  afterAll(() => {
    captureSqliteAudit(url);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--csv: RFC 4180 with a header, every record once, and no cell a spreadsheet would run', async () => {
    const run = await cli(['audit', '--csv'], env);
    expect(run.code, run.stderr).toBe(0);
    const [header, ...rows] = parseCsv(run.stdout);
    expect(header).toEqual(['seq', 'at', 'request_id', 'actor', 'action', 'data', 'prev_hash', 'hash']);
    expect(rows).toHaveLength(all.length);
    const neutral = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
    expect(rows).toEqual(
      all.map((r) => [
        String(r.seq),
        r.at,
        r.requestId ?? '',
        neutral(r.actor),
        r.action,
        JSON.stringify(r.data),
        r.prevHash,
        r.hash,
      ]),
    );
    expect(rows[2]?.[3]).toBe(`'=HYPERLINK("http://evil.example")`);
    expect(rows.at(-1)?.[3]).toBe(`'+cmd`);
    expect(JSON.parse(rows[0]?.[5] ?? '')).toEqual({ reason: 'INC-1, "quoted"\nsecond line' });
  });

  it('--until a date includes that whole day; --since is inclusive; --action picks actions', async () => {
    const day1 = JSON.parse(
      (await cli(['audit', '--json', '--until', '2026-11-22'], env)).stdout,
    ) as AuditRecord[];
    expect(day1.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    const day2 = JSON.parse((await cli(['audit', '--json', '--since', DAY2], env)).stdout) as AuditRecord[];
    expect(day2).toHaveLength(FILLER + 1);
    const window = await cli(['audit', '--since', DAY1_LATE, '--until', DAY2], env);
    expect(window.stdout.trim().split('\n')).toHaveLength(1);
    expect(window.stdout).toMatch(/^4\t2026-11-22T23:59:59.000Z\tr-1\tslack:UAPP\trequest_approved\t/);
    const picked = await cli(['audit', '--csv', '--action', 'request_created,run_finished'], env);
    expect(parseCsv(picked.stdout).map((r) => r[4])).toEqual([
      'action',
      'request_created',
      'request_created',
      'run_finished',
    ]);
  });

  it('--user: every record of the requests that named the person, by Slack ID, email or CLI user', async () => {
    const of = async (user: string) =>
      (JSON.parse((await cli(['audit', '--json', '--user', user], env)).stdout) as AuditRecord[]).map(
        (r) => r.seq,
      );
    const last = all.at(-1)?.seq;
    expect(await of('UALICE')).toEqual([1, 4, last]);
    expect(await of('alice@example.com')).toEqual([1, 4, last]);
    expect(await of('carol@example.com')).toEqual([2]);
    expect(await of('ops')).toEqual([2]);
    expect(await of('slack:UAPP')).toEqual([4]);
    expect(await of('nobody@example.com')).toEqual([]);
  });

  it('--json streams one JSON array of the whole log, page after page', async () => {
    const run = await cli(['audit', '--json'], env);
    expect(JSON.parse(run.stdout)).toEqual(all);
  });

  it('audit verify streams a log of several pages and checks an anchor by its one row', async () => {
    const ok = await cli(['audit', 'verify', '--json'], env);
    const head = `${all.at(-1)?.seq}:${all.at(-1)?.hash}`;
    expect(JSON.parse(ok.stdout)).toEqual({ ok: true, checked: all.length, head, anchorProblem: null });
    const mid = all[1_500];
    expect((await cli(['audit', 'verify', '--anchor', `${mid?.seq}:${mid?.hash}`], env)).code).toBe(0);
    const wrong = await cli(['audit', 'verify', '--anchor', `${mid?.seq}:${'0'.repeat(64)}`], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe(
      `TAMPERED: anchored record ${mid?.seq} has a different hash: the log was rewritten.\n`,
    );
  });

  it('refuses bad values with exit 2 and the reason', async () => {
    for (const [args, reason] of [
      [['--csv', '--json'], /--csv and --json exclude each other/],
      [['--until', 'soon'], /--until must be a date or time/],
      [['--action', 'DROP TABLE'], /--action takes a comma list of audit actions/],
      [['--user', ' '], /--user needs/],
    ] as const) {
      const run = await cli(['audit', ...args], env);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(reason);
      expect(run.stdout).toBe('');
    }
  });
});
