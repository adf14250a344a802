import { createHash } from 'node:crypto';
import { canonicalJson } from '../engine/audit-chain.js';

/**
 * How deep each field gets a digest of its own (e.g. `steps[1].result.remaining`,
 * `audit.records[3].data.result.error.status`); deeper ones are hashed whole.
 */
const MAX_DEPTH = 8;

const digest = (value: unknown): string =>
  createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, 22);

const child = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * Every field of a document down to {@link MAX_DEPTH}, in document order, with a digest of its
 * canonical JSON; each object or array also gets one of its shape (its keys, or its length), so
 * a field added or removed is named as well as a field changed.
 */
export function fieldDigests(document: unknown): [string, string][] {
  const out: [string, string][] = [];
  const walk = (value: unknown, path: string, depth: number) => {
    if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) {
      out.push([path, digest(value)]);
      return;
    }
    if (Array.isArray(value)) {
      out.push([`${path}#`, digest(value.length)]);
      for (const [i, v] of value.entries()) walk(v, child(path, i), depth + 1);
      return;
    }
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    out.push([`${path}#`, digest(entries.map(([k]) => k))]);
    for (const [k, v] of entries) walk(v, child(path, k), depth + 1);
  };
  walk(document, '', 0);
  return out;
}

/** The first field whose digest differs from the signed one, or undefined when all match. */
export function firstDifference(
  signed: readonly [string, string][],
  actual: readonly [string, string][],
): string | undefined {
  const have = new Map(actual);
  for (const [path, value] of signed) if (have.get(path) !== value) return path;
  const want = new Set(signed.map(([p]) => p));
  return actual.find(([p]) => !want.has(p))?.[0];
}

/** `steps[1]#` (a shape digest) as the field a reader knows: `steps[1]`. */
export const fieldName = (path: string): string =>
  path.endsWith('#') ? path.slice(0, -1) || '(the document)' : path;
