import { isAbsolute, resolve } from 'node:path';
import { type Source, TributaryError, TributaryErrors } from '../errors.js';
import type { ConfigSite } from '../plugin.js';
import type { AlertRulesConfig } from './config.js';
import { loadRuleFilesSync, RulesLoadError } from './load.js';
import type { RuleGroup } from './types.js';

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
 * their problems become located TributaryErrors (the rule file, line and column; the config's
 * `rule_files` entry when a pattern is the problem). Returns the config with the patterns made absolute.
 */
export function prepareRuleFiles<C extends Pick<AlertRulesConfig, 'rule_files'>>(
  config: C,
  site: ConfigSite,
): C {
  const rule_files = config.rule_files.map((p) => (isAbsolute(p) ? p : resolve(site.baseDir, p)));
  loadComponentRules(rule_files, site);
  return { ...config, rule_files };
}

/**
 * Loads absolute rule file patterns; problems as TributaryErrors. With the config `site`, each
 * names the component's `rule_files`, and a problem with a pattern (no file matches, a bad glob)
 * is placed where the config wrote that pattern.
 */
export function loadComponentRules(
  patterns: readonly string[],
  site?: Pick<ConfigSite, 'locate'>,
): RuleGroup[] {
  try {
    return loadRuleFilesSync(patterns, { baseDir: process.cwd() });
  } catch (err) {
    if (!(err instanceof RulesLoadError)) throw err;
    throw new TributaryErrors(
      err.problems.map((p) => {
        const source: Source = p.line
          ? { file: p.file, line: p.line, column: p.column, path: site?.locate(['rule_files']).path }
          : (site?.locate(['rule_files', Math.max(patterns.indexOf(p.file), 0)]) ?? { file: p.file });
        return new TributaryError(p.code, p.message, source, HINTS[p.code]);
      }),
    );
  }
}
