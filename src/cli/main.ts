#!/usr/bin/env node
import { config as loadDotenv } from 'dotenv';
import { EXIT } from './exit-codes.js';
import { runCli } from './index.js';

loadDotenv({ quiet: true });
const code = await runCli(process.argv.slice(2), process.env);
// Interrupted: what was done is recorded and the leases are given back; calls still in flight
// after a second Ctrl-C are not waited for.
if (code === EXIT.interrupted) process.exit(code);
process.exitCode = code;
