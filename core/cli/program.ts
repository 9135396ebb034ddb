import { Command, CommanderError } from 'commander';
import { isUserError, type TributaryError, TributaryErrors } from '../errors.js';
import type { CliContext } from '../plugin.js';
import { ENGINE_VERSION } from '../version.js';
import { addCommands } from './commands.js';

/**
 * The `tributary` command line as a library: built-in commands plus those plugins contribute, all
 * given the distribution's plugins (main.ts / cli.ts pass the built-ins).
 */
export function createProgram(cli: CliContext): Command {
  const program = new Command('tributary')
    .description(
      'A telemetry pipeline engine for MCP servers: receivers -> processors -> exporters, wired in YAML.',
    )
    .version(ENGINE_VERSION)
    .showHelpAfterError()
    .exitOverride();
  addCommands(program, cli);
  for (const plugin of cli.plugins) plugin.commands?.(program, cli);
  return program;
}

/** Runs the CLI; returns the exit code: 0 ok, 1 a user error (printed without a stack), 2 a bug. */
export async function runCli(argv: readonly string[], cli: CliContext): Promise<number> {
  try {
    await createProgram(cli).parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    if (isUserError(err)) {
      const errors = err instanceof TributaryErrors ? err.errors : [err as TributaryError];
      for (const e of errors) process.stderr.write(`error: ${e.format()}\n`);
      return 1;
    }
    process.stderr.write(
      `tributary: internal error (a bug; please report it):\n${(err as Error)?.stack ?? String(err)}\n`,
    );
    return 2;
  }
}
