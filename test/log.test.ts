import { describe, expect, it } from 'vitest';
import { logFields, RedactingLogger, Redactor } from '../src/log.js';
import { captureLogs } from './helpers/capture.js';

function logger(
  secrets: string[] = [],
  format: 'json' | 'pretty' = 'json',
  level: 'debug' | 'info' = 'debug',
) {
  const lines: string[] = [];
  return { log: new RedactingLogger(new Redactor(secrets), level, captureLogs(lines), format), lines };
}

describe('structured logs', () => {
  it('writes one JSON object a line, even when the message holds newlines', () => {
    const { log, lines } = logger();
    log.error('first line\nsecond line', new Error('boom\nat somewhere'));
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? '');
    expect(record.level).toBe('error');
    expect(record.name).toBe('revoke-sessions');
    expect(record.msg).toBe('first line\nsecond line Error: boom\nat somewhere');
    expect(Date.parse(record.time)).not.toBeNaN();
  });

  it('carries request_id, system and actor as fields, from a call or a child logger', () => {
    const { log, lines } = logger();
    log.info('step done', logFields({ request_id: 'r-1', system: 'box', actor: 'slack:U1' }));
    log.child({ request_id: 'r-2' }).warn('lease lost', logFields({ system: 'slack' }));
    const [a, b] = lines.map((l) => JSON.parse(l));
    expect(a).toMatchObject({ msg: 'step done', request_id: 'r-1', system: 'box', actor: 'slack:U1' });
    expect(b).toMatchObject({ msg: 'lease lost', request_id: 'r-2', system: 'slack', level: 'warn' });
  });

  it('scrubs known secrets and token shapes from messages and fields, and censors redaction paths', () => {
    const secret = 'my-signing-secret-1234';
    const { log, lines } = logger([secret]);
    log.warn(
      `failed with ${secret}`,
      'xwfp-1234567890-abcdefghij',
      'xoxb-111-222-abcdefabcdef',
      { authorization: 'Bearer abcdefghijklmnop' },
      'Authorization: SSWS 00okta-api-token-value',
      'token ya29.a0AfH6SMBexample-google-token',
      logFields({
        actor: `x ${secret}`,
        token: 'plain-token-value',
        headers: { authorization: 'Basic zzz' },
      }),
    );
    const record = JSON.parse(lines[0] ?? '');
    expect(record.msg).not.toContain(secret);
    expect(record.msg).not.toContain('xwfp-1234567890');
    expect(record.msg).not.toContain('xoxb-111');
    expect(record.msg).not.toContain('abcdefghijklmnop');
    expect(record.msg).not.toContain('00okta-api-token-value');
    expect(record.msg).not.toContain('ya29.a0AfH6SMB');
    expect(record.actor).toBe('x [REDACTED]');
    expect(record.token).toBe('[REDACTED]');
    expect(record.headers.authorization).toBe('[REDACTED]');
  });

  it('keeps JSON valid when a scrubbed value sits next to quotes and backslashes', () => {
    const { log, lines } = logger();
    log.info('token=abc\\"def" and "authorization: Bearer q\\w"');
    expect(() => JSON.parse(lines[0] ?? '')).not.toThrow();
    expect(JSON.parse(lines[0] ?? '').msg).toContain('[REDACTED]');
  });

  it('survives a cyclic field value and shows an error field by name and message', () => {
    const { log, lines } = logger();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    log.info('cyclic', logFields({ data: cyclic, err: new Error('bad xoxb-111-222-abcdefabcdef') }));
    const record = JSON.parse(lines[0] ?? '');
    expect(record.data.a).toBe(1);
    expect(record.err).toBe('Error: bad [REDACTED]');
  });

  it('honours the level, and Bolt can change it and the name', () => {
    const { log, lines } = logger([], 'json', 'info');
    log.debug('hidden');
    log.setLevel('debug');
    log.setName('bolt-app');
    log.debug('shown');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ msg: 'shown', name: 'bolt-app' });
    expect(log.getLevel()).toBe('debug');
  });

  it('pretty mode writes one readable line: time, level, name, message, fields', () => {
    const { log, lines } = logger([], 'pretty');
    log.warn('two\nlines', logFields({ request_id: 'r-9', system: 'huawei' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARN \[revoke-sessions\] two\\nlines request_id=r-9 system=huawei$/,
    );
  });
});
