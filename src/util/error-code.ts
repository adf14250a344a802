/** The `code` of a Node or driver error (`EADDRINUSE`, `ECONNREFUSED`, `SQLITE_CANTOPEN`…), if any. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
