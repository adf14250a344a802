import { closeSync, openSync, readSync } from 'node:fs';

/** The largest secret file read: anything bigger is not a token, a secret or a URL. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** Reads at most `limit` bytes of a file (a FIFO or a device never makes this hang or fill memory). */
function readBounded(path: string, limit: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, limit - length, null);
      if (n === 0) break;
      length += n;
      if (length === limit) break;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * `<VAR>_FILE` for each of `names` (the secret variables): the value is read from that file, as
 * container platforms hand secrets over (Docker and Compose secrets, Kubernetes Secret volumes).
 * Read once, here, when the configuration is loaded; the file's trailing line break is dropped.
 * Setting both `VAR` and `VAR_FILE` is a problem, as is a file that cannot be read, is empty or is
 * too big; every problem names the variable (and the path, never the content).
 */
export function withSecretFiles(
  env: NodeJS.ProcessEnv,
  names: readonly string[],
  problems: string[],
  read: (path: string, limit: number) => Buffer = readBounded,
): NodeJS.ProcessEnv {
  const resolved: NodeJS.ProcessEnv = { ...env };
  for (const name of names) {
    const fileVar = `${name}_FILE`;
    const path = env[fileVar]?.trim();
    if (!path) continue;
    if (env[name]?.trim()) {
      problems.push(
        `${name} and ${fileVar} are both set: keep one (${fileVar} names a file holding ${name})`,
      );
      continue;
    }
    let content: Buffer;
    try {
      content = read(path, MAX_SECRET_FILE_BYTES + 1);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(
        `${fileVar} names a file that cannot be read (${code}: ${path}): set it to a readable file holding ${name}`,
      );
      continue;
    }
    if (content.length > MAX_SECRET_FILE_BYTES) {
      problems.push(
        `${fileVar} names a file of more than 64 KiB (${path}): it must hold only ${name}'s value`,
      );
      continue;
    }
    const value = content.toString('utf8').replace(/(\r?\n)+$/, '');
    if (value.trim() === '') {
      problems.push(`${fileVar} names an empty file (${path}): put ${name}'s value in it`);
      continue;
    }
    resolved[name] = value;
  }
  return resolved;
}
