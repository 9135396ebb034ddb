import { dirname } from 'node:path';
import { TributaryError } from '../../errors.js';
import { loadRuleFiles, RulesLoadError } from '../load.js';
import type { RuleGroup } from '../types.js';
import { runTestGroup } from './run-group.js';
import { readTestFile, type TestFile } from './test-file.js';

/** One test group run (a JUnit test case): its name, `unnamed#<index>` without one, as promtool. */
export interface TestGroupResult {
  readonly name: string;
  readonly errors: readonly string[];
}

export interface TestFileResult {
  readonly file: string;
  /** promtool's error texts, in order; empty when every test group passed. */
  readonly errors: readonly string[];
  /** The test groups run, each with its errors. */
  readonly groups: readonly TestGroupResult[];
  /** Why the file could not be run at all (it is then the only entry of `errors`). */
  readonly aborted?: string;
}

export interface TestRunOptions {
  /** Only test groups whose `name` matches (promtool's --run). */
  run?: RegExp;
}

/**
 * Runs one rule unit test file in promtool's format: its rule_files (relative to the test file,
 * globs allowed) loaded once, the groups ordered by group_eval_order, then every test group.
 */
export async function runTestFile(file: string, options: TestRunOptions = {}): Promise<TestFileResult> {
  let test: TestFile;
  let groups: RuleGroup[];
  try {
    test = await readTestFile(file);
    const repeated = test.group_eval_order.find((name, i) => test.group_eval_order.indexOf(name) !== i);
    if (repeated !== undefined) return abort(file, `group name repeated in evaluation order: ${repeated}`);
    groups = ordered(await loadRuleFiles(test.rule_files, { baseDir: dirname(file) }), test.group_eval_order);
  } catch (err) {
    if (err instanceof RulesLoadError) return abort(file, err.message);
    if (err instanceof TributaryError) return abort(file, err.format());
    throw err;
  }
  const results: TestGroupResult[] = [];
  for (const [i, group] of test.tests.entries()) {
    if (options.run && !options.run.test(group.name)) continue;
    const errors = runTestGroup(group, {
      groups,
      evaluationIntervalMs: test.evaluation_interval,
      fuzzy: test.fuzzy_compare,
    });
    results.push({ name: group.name || `unnamed#${i}`, errors });
  }
  return { file, errors: results.flatMap((r) => r.errors), groups: results };
}

function abort(file: string, error: string): TestFileResult {
  return { file, errors: [error], groups: [], aborted: error };
}

/**
 * Groups in group_eval_order; the groups it does not name sort as its first, as promtool's (a
 * partial order). Ties keep the order of the rule files.
 */
function ordered(groups: RuleGroup[], order: readonly string[]): RuleGroup[] {
  const rank = (g: RuleGroup) => Math.max(order.indexOf(g.name), 0);
  return groups
    .map((g, i) => ({ g, i }))
    .sort((a, b) => rank(a.g) - rank(b.g) || a.i - b.i)
    .map(({ g }) => g);
}
