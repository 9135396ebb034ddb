import { writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { TributaryError } from '../../errors.js';
import { compileRe2 } from '../../promql/re2.js';
import { junitXml } from './junit.js';
import { runTestFile, type TestFileResult } from './run-file.js';

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
    .option('--junit <file>', 'also write the results to this file as JUnit XML')
    .action(async (files: string[], o: { run?: string[]; junit?: string }) => {
      const run = o.run ? runPattern(o.run) : undefined;
      const timestamp = new Date().toISOString().slice(0, 19);
      const results: TestFileResult[] = [];
      let failed = false;
      for (const file of files) {
        io.stdout.write(`Unit Testing:  ${file}\n`);
        const result = await runTestFile(file, { run });
        results.push(result);
        const { errors } = result;
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
      if (o.junit) await writeJunit(o.junit, junitXml(results, timestamp));
      if (failed) process.exitCode = 1;
    });
}

async function writeJunit(file: string, xml: string): Promise<void> {
  try {
    await writeFile(file, xml);
  } catch (err) {
    throw new TributaryError(
      'TRB_CLI_INVALID_ARGUMENT',
      `--junit ${file}: cannot write the JUnit XML: ${(err as Error).message}`,
      {},
      'give a path in a directory that exists and can be written',
    );
  }
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
