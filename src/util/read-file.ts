import { readFileSync } from 'node:fs';

/**
 * Reads a file a variable names (a key file): its text, or a sentence naming the variable and the
 * error code — never the file's content, which may be a secret. `what` completes "it must be …".
 */
export function readNamedFile(
  path: string,
  variable: string,
  what: string,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): { text: string } | { problem: string } {
  try {
    return { text: read(path) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      problem: `${variable} cannot be read (${typeof code === 'string' ? code : 'read error'}): it must be ${what}, readable by the app`,
    };
  }
}
