import { isAbsolute, resolve } from 'node:path';
import { TributaryError, TributaryErrors } from '../errors.js';
import type { ConfigSite } from '../plugin.js';
import type { AlertRulesConfig } from './config.js';
import { loadRuleFilesSync, RulesLoadError } from './load.js';
import type { RuleGroup, RuleProblem } from './types.js';

const HINTS: Readonly<Record<string, string>> = {
  TRB_RULES_FILES: 'rule_files are paths or globs relative to the config file',
  TRB_RULES_PARSE: 'a rule file is YAML: groups: [{ name, rules: [{ alert|record, expr, ... }] }]',
  TRB_RULES_INVALID: "see Prometheus's rule file format (docs/alerting.md)",
  TRB_RULES_TEMPLATE:
    'templates are Go text/template: {{ $labels.x }}, {{ $value | humanize }}, if/else/range/with, printf',
  TRB_PROMQL_PARSE: 'fix the expression: Prometheus 3.14 PromQL',
};

/**
 * The rule files of an alertrules component, loaded and checked when its config is validated:
 * their problems become located TributaryErrors (the rule file, line and column; the component's
 * rule_files when a pattern is the problem). Returns the config with the patterns made absolute.
 */
export function prepareRuleFiles<C extends Pick<AlertRulesConfig, 'rule_files'>>(
  config: C,
  site: ConfigSite,
): C {
  const rule_files = config.rule_files.map((p) => (isAbsolute(p) ? p : resolve(site.baseDir, p)));
  loadComponentRules(rule_files, site.locate(['rule_files']));
  return { ...config, rule_files };
}

/** Loads absolute rule file patterns; problems as TributaryErrors, those without a position at `at`. */
export function loadComponentRules(
  patterns: readonly string[],
  at: ReturnType<ConfigSite['locate']> = {},
): RuleGroup[] {
  try {
    return loadRuleFilesSync(patterns, { baseDir: process.cwd() });
  } catch (err) {
    if (!(err instanceof RulesLoadError)) throw err;
    throw new TributaryErrors(err.problems.map((p) => problemError(p, at)));
  }
}

function problemError(p: RuleProblem, at: ReturnType<ConfigSite['locate']>): TributaryError {
  const source = p.line ? { file: p.file, line: p.line, column: p.column, path: at.path } : at;
  return new TributaryError(p.code, p.message, source, HINTS[p.code]);
}
