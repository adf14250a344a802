#!/usr/bin/env node
import { config as loadDotenv } from 'dotenv';
import { EXIT } from './exit-codes.js';
import { runCli } from './index.js';

loadDotenv({ quiet: true });
// A reader that stops early (`status … | head`) closes the pipe: that is the end of the output, not
// a failure to show as a stack trace. (Work already recorded stays recorded.)
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const code = await runCli(process.argv.slice(2), process.env);
// Interrupted: what was done is recorded and the leases are given back; calls still in flight
// after a second Ctrl-C are not waited for.
if (code === EXIT.interrupted) process.exit(code);
process.exitCode = code;
