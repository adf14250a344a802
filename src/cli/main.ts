#!/usr/bin/env node
import { config as loadDotenv } from 'dotenv';
import { runCli } from './index.js';

loadDotenv({ quiet: true });
process.exitCode = await runCli(process.argv.slice(2), process.env);
