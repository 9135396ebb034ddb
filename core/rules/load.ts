import type { RuleGroup, RuleProblem } from './types.js';

export interface LoadOptions {
  /** Relative paths and globs are resolved from here (the config file's directory). */
  baseDir: string;
}

/** Rule files that cannot be used: every problem found, each located. */
export class RulesLoadError extends Error {
  override name = 'RulesLoadError';
  constructor(readonly problems: readonly RuleProblem[]) {
    super(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.code} ${p.message}`).join('\n'));
  }
}

export function loadRuleFilesSync(_patterns: readonly string[], _options: LoadOptions): RuleGroup[] {
  throw new Error('not implemented yet');
}

export async function loadRuleFiles(patterns: readonly string[], options: LoadOptions): Promise<RuleGroup[]> {
  return loadRuleFilesSync(patterns, options);
}
