import { describe, expect, it } from 'vitest';
import { parseCommandText } from '../../src/slack/guards/command-text.js';

describe('parseCommandText', () => {
  it.each([
    ['', { kind: 'open', targets: [] }],
    ['   ', { kind: 'open', targets: [] }],
    ['help', { kind: 'help' }],
    ['HELP', { kind: 'help' }],
    ['<@U012ABCDEF|alice>', { kind: 'open', targets: [{ kind: 'user', userId: 'U012ABCDEF' }] }],
    ['<@W012ABCDEF>', { kind: 'open', targets: [{ kind: 'user', userId: 'W012ABCDEF' }] }],
    ['U012ABCDEF', { kind: 'open', targets: [{ kind: 'user', userId: 'U012ABCDEF' }] }],
    ['Alice@Example.COM', { kind: 'open', targets: [{ kind: 'email', email: 'alice@example.com' }] }],
    [
      '<mailto:alice@example.com|alice@example.com>',
      { kind: 'open', targets: [{ kind: 'email', email: 'alice@example.com' }] },
    ],
    [
      '<@U012ABCDEF|a> <@U012ABCDEF|a> bob@example.com',
      {
        kind: 'open',
        targets: [
          { kind: 'user', userId: 'U012ABCDEF' },
          { kind: 'email', email: 'bob@example.com' },
        ],
      },
    ],
  ])('%j', (text, expected) => {
    expect(parseCommandText(text)).toEqual(expected);
  });

  it.each([
    '@alice',
    'alice',
    '<!here>',
    '<#C123|general>',
    'u012abcdef',
    'a@b',
    '<@U1|x',
  ])('refuses %j with guidance', (text) => {
    const r = parseCommandText(text);
    expect(r.kind).toBe('invalid');
    if (r.kind === 'invalid') expect(r.message).toMatch(/couldn't read/);
  });

  it('tells people who typed a plain @name to use the autocomplete', () => {
    const r = parseCommandText('@alice');
    expect(r.kind === 'invalid' && r.message).toMatch(/autocomplete/);
  });

  it('refuses absurdly long text', () => {
    expect(parseCommandText('x'.repeat(5000)).kind).toBe('invalid');
  });
});
