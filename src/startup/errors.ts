import { errorCode } from '../util/error-code.js';

/**
 * A start-up failure the operator fixes by changing one setting: its message
 * names the variable and what is wrong, and holds no secret and no stack.
 */
export class StartupError extends Error {
  constructor(
    /** The environment variable to fix, e.g. `DATABASE_URL` or `PORT`. */
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

/** Turns a listen failure into a {@link StartupError} naming `PORT`; other errors pass through. */
export function listenFailure(error: unknown, port: number): unknown {
  const code = errorCode(error);
  if (code === 'EADDRINUSE') {
    return new StartupError(
      'PORT',
      `PORT ${port} is already in use by another process; stop it or set PORT to a free port.`,
    );
  }
  if (code === 'EACCES') {
    return new StartupError(
      'PORT',
      `PORT ${port} needs privileges this process lacks; set PORT to 1024 or above.`,
    );
  }
  return error;
}
