import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { TributaryError } from '../../errors.js';
import { compileRe2 } from '../../promql/re2.js';
import { runTestFile } from './run-file.js';

export interface TestRulesStreams {
  stdout: Writable;
  stderr: Writable;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `tributary test-rules FILE...`: Prometheus rule unit tests in promtool's format, reported as
 * `promtool test rules` does (`Unit Testing:  FILE`, then `  SUCCESS` or `  FAILED:` with each
 * failure); exit 1 when any test fails.
 */
export function addTestRulesCommand(program: Command, io: TestRulesStreams = process): void {
  program
    .command('test-rules')
    .description(
      "run Prometheus rule unit tests (promtool's format) against Tributary's rule engine; exit 1 on any failure",
    )
    .argument('<file...>', 'unit test files, as for `promtool test rules`')
    .option('--run <regexp>', 'only the test groups whose name matches; repeat for several', collect)
    .action(async (files: string[], o: { run?: string[] }) => {
      const run = o.run ? runPattern(o.run) : undefined;
      let failed = false;
      for (const file of files) {
        io.stdout.write(`Unit Testing:  ${file}\n`);
        const { errors } = await runTestFile(file, { run });
        if (errors.length === 0) io.stdout.write('  SUCCESS\n');
        else {
          failed = true;
          // As promtool: the failures on stderr, the blank line after each on stdout.
          io.stderr.write('  FAILED:\n');
          for (const error of errors) {
            io.stderr.write(`${error}\n`);
            io.stdout.write('\n');
          }
        }
        io.stdout.write('\n');
      }
      if (failed) process.exitCode = 1;
    });
}

/** The --run patterns as promtool reads them: Go's RE2, matching anywhere in the name. */
function runPattern(patterns: string[]): RegExp {
  const source = patterns.join('|');
  try {
    // RE2 here is anchored; `.*` on both sides makes it the unanchored search promtool runs.
    return compileRe2(`.*(?:${source}).*`);
  } catch (err) {
    throw new TributaryError(
      'TRB_CLI_INVALID_ARGUMENT',
      `--run ${JSON.stringify(source)} is not a regular expression: ${(err as Error).message}`,
      {},
      'give a regular expression matching test group names, e.g. --run "^high"',
    );
  }
}
