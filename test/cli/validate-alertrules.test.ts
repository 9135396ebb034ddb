import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '../../dist/cli.js');
const fixture = (name: string) => join(import.meta.dirname, '../fixtures/alertrules', name);
const validate = (config: string) =>
  spawnSync(process.execPath, [CLI, 'validate', '--config', fixture(config)], { encoding: 'utf8' });

describe('tributary validate with alertrules components', () => {
  it('fails on a rule with a syntax error or an unsupported function: the rule file, line and column in the expression', () => {
    const run = validate('pipeline.yaml');
    const syntax = fixture('rules/syntax.rules.yaml');
    const unsupported = fixture('rules/unsupported.rules.yaml');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      `error: ${syntax}:5:71: TRB_PROMQL_PARSE processors.alertrules.rule_files: group "mcp", rule 1, "HighErrorRate": could not parse expression: unclosed left parenthesis; fix the expression: Prometheus 3.14 PromQL`,
      `error: ${unsupported}:7:13: TRB_PROMQL_UNSUPPORTED processors.alertrules.rule_files: group "experimental", rule 1, "job:info": could not parse expression: function "info" is experimental in Prometheus 3.14 (behind --enable-feature=promql-experimental-functions), which Tributary does not enable`,
      `error: ${unsupported}:7:13: TRB_PROMQL_UNSUPPORTED connectors.alertrules.rule_files: group "experimental", rule 1, "job:info": could not parse expression: function "info" is experimental in Prometheus 3.14 (behind --enable-feature=promql-experimental-functions), which Tributary does not enable`,
    ]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
  });

  it('says which rule_files entry matches no file, at that entry', () => {
    const run = validate('no-match.yaml');
    expect(run.stderr).toContain(
      `error: ${fixture('no-match.yaml')}:4:38: TRB_RULES_FILES connectors.alertrules.rule_files[1]: no rule file matches "${fixture('missing/*.yaml')}"; rule_files are paths or globs relative to the config file\n`,
    );
    expect(run.status).toBe(1);
  });

  it("accepts the monitoring guide's rules file, named relative to the config file", () => {
    const run = validate('valid.yaml');
    expect(run.stderr).toBe(`${fixture('valid.yaml')}: valid (2 pipelines, 5 nodes)\n`);
    expect(run.status).toBe(0);
  });
});
