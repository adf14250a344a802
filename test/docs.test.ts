import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SYSTEMS } from '../src/providers/registry.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The Markdown files whose links are checked, from the repository root. */
const markdownFiles = [
  'README.md',
  'SECURITY.md',
  'CHANGELOG.md',
  'bench/README.md',
  ...readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f.split('\\').join('/')}`),
].sort();

/** The text outside fenced code blocks. */
const unfenced = (markdown: string): string => markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, '');

/** The text outside fenced code blocks and inline code, where a link is a link. */
const prose = (markdown: string): string => unfenced(markdown).replace(/`[^`\n]*`/g, '``');

/** Every `[text](target)` link target of a Markdown text (outside code). */
function linkTargets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] ?? '');
}

/** The anchors GitHub gives a Markdown file's headings (`## Using it` → `using-it`). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const match of unfenced(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = (match[1] ?? '')
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/[*`]/g, '');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

describe('the documentation', () => {
  it('README.md is at most 300 lines', () => {
    const lines = read('README.md').split('\n').length - 1;
    expect(lines, `README.md has ${lines} lines: move detail into docs/`).toBeLessThanOrEqual(300);
  });

  it.each(markdownFiles)('%s: every relative link resolves (file, and heading anchor)', (file) => {
    const text = read(file);
    const broken: string[] = [];
    for (const target of linkTargets(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:…
      const [path = '', anchor] = target.split('#');
      const resolved = path === '' ? file : normalize(join(dirname(file), decodeURI(path)));
      if (relative(root, join(root, resolved)).startsWith('..')) {
        broken.push(`${target} (outside the repository)`);
        continue;
      }
      if (!existsSync(join(root, resolved))) {
        broken.push(`${target} (no ${resolved})`);
        continue;
      }
      if (anchor && resolved.endsWith('.md') && statSync(join(root, resolved)).isFile()) {
        if (!anchors(read(resolved)).has(anchor))
          broken.push(`${target} (no heading #${anchor} in ${resolved})`);
      }
    }
    expect(broken, `${file}: broken links`).toEqual([]);
  });

  it('the README links every page of docs/ and bench/README.md', () => {
    const linked = new Set(
      linkTargets(read('README.md'))
        .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t))
        .map((t) => normalize(t.split('#')[0] ?? '')),
    );
    const pages = markdownFiles.filter((f) => f.startsWith('docs/') || f === 'bench/README.md');
    const missing = pages.filter((f) => !linked.has(normalize(f)));
    expect(missing, 'pages the README does not link').toEqual([]);
  });

  it('every system in the registry has its page in docs/systems/', () => {
    for (const s of SYSTEMS) expect(existsSync(join(root, `docs/systems/${s.id}.md`)), s.id).toBe(true);
    const pages = readdirSync(join(root, 'docs/systems')).filter((f) => f.endsWith('.md'));
    expect(pages.sort()).toEqual(SYSTEMS.map((s) => `${s.id}.md`).sort());
  });

  it('the anchors follow GitHub: punctuation dropped, spaces to hyphens, repeats numbered', () => {
    expect([
      ...anchors('# Alert endpoint (SIEM / EDR)\n## `doctor` and *more*\n## Approvals\n## Approvals\n'),
    ]).toEqual(['alert-endpoint-siem--edr', 'doctor-and-more', 'approvals', 'approvals-1']);
  });
});
