/**
 * Reads the Dockerfile the way `docker build` does, as far as this repository's Dockerfile goes:
 * stages, and per stage its instructions. No Docker daemon exists where the tests run, so
 * dockerfile.test.ts plays the steps in a clean folder instead; any instruction or flag it does
 * not know fails the test, so the Dockerfile cannot grow a step that the test silently skips.
 */

/** One instruction: its keyword, its flags (`--from=build`) and the rest of the line. */
export interface Instruction {
  keyword: string;
  flags: Record<string, string>;
  args: string;
}

export interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

/** The stages of a Dockerfile, its line continuations joined, comments and parser directives dropped. */
export function parseDockerfile(text: string, args: Record<string, string> = {}): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const globalArgs: Record<string, string> = { ...args };
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) throw new Error(`unreadable Dockerfile line: ${line}`);
    const keyword = m[1].toUpperCase();
    let rest = m[2];
    const flags: Record<string, string> = {};
    for (;;) {
      const flag = /^--([a-z-]+)=(\S+)\s+/.exec(rest);
      if (!flag?.[1] || flag[2] === undefined) break;
      flags[flag[1]] = flag[2];
      rest = rest.slice(flag[0].length);
    }
    if (keyword === 'ARG' && stages.length === 0) {
      const [name, value = ''] = rest.split('=');
      if (name) globalArgs[name] = globalArgs[name] ?? value;
      continue;
    }
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(
        rest.replace(/\$\{(\w+)\}/g, (_, n: string) => globalArgs[n] ?? ''),
      );
      if (!from?.[1]) throw new Error(`unreadable FROM: ${line}`);
      stages.push({ name: from[2] ?? String(stages.length), base: from[1], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${keyword} before FROM`);
    stage.instructions.push({ keyword, flags, args: rest });
  }
  return stages;
}

/** The arguments of an exec-form (`["node", "x"]`) or shell-form instruction, as argv. */
export function commandOf(args: string): string[] {
  const trimmed = args.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as string[];
  return ['/bin/sh', '-c', trimmed];
}

/**
 * Whether `.dockerignore` (its lines, in order; the last match wins) leaves `path` in the build
 * context. Only the patterns this repository uses are understood: `*` and `!name` / `!dir/`.
 */
export function inContext(dockerignore: string, path: string): boolean {
  let included = true;
  for (const raw of dockerignore.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/\/+$/, '');
    if (pattern.includes('*') && pattern !== '*')
      throw new Error(`pattern not understood by the test: ${line}`);
    if (pattern === '*' || path === pattern || path.startsWith(`${pattern}/`)) included = negated;
  }
  return included;
}
