import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const STORE = fileURLToPath(new URL('../../src/store/', import.meta.url));
const sources = readdirSync(STORE, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
const read = (file: string) => readFileSync(join(STORE, file), 'utf8');

describe('store layout', () => {
  it('keeps every store file small', () => {
    expect(sources).toContain('statements.ts');
    const long = sources.filter((file) => read(file).split('\n').length > 300);
    expect(long).toEqual([]);
  });

  it('writes the SQL on the tables once: the backends run statements, they do not own any', () => {
    const tableStatement = /\b(?:FROM|INTO|UPDATE|JOIN)\s+(?:requests|steps|audit_log|schema_migrations)\b/i;
    for (const backend of ['sqlite.ts', 'postgres.ts']) {
      expect(read(backend)).not.toMatch(tableStatement);
    }
    expect(read('statements.ts')).toMatch(tableStatement);
  });
});
