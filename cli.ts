#!/usr/bin/env node
import { runCli } from './core/cli/program.js';
import { builtins } from './plugins/index.js';

process.exitCode = await runCli(process.argv.slice(2), { plugins: builtins });
// Everything has been shut down; a handle a plugin forgot must not keep the process alive.
setTimeout(() => process.exit(), 2000).unref();
