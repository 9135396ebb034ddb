import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '../../dist/cli.js');
const fixture = (name: string) => join(import.meta.dirname, '../fixtures/promql-refusals', name);
const rules = fixture('refused.rules.yaml');

/** `file:line:column` of the first `needle` in the rule file, as an editor counts them. */
function where(needle: string): string {
  const lines = readFileSync(rules, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  return `${rules}:${line + 1}:${(lines[line] as string).indexOf(needle) + 1}`;
}

describe('tributary validate refuses what PromQL in Tributary cannot evaluate as Prometheus does', () => {
  it('names the rule file, the line and the column of a regexp it cannot translate, and of an experimental function', () => {
    const run = spawnSync(process.execPath, [CLI, 'validate', '--config', fixture('pipeline.yaml')], {
      encoding: 'utf8',
    });
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      `error: ${where('"(?U)')}: TRB_PROMQL_UNSUPPORTED processors.alertrules.rule_files: group "relabelled", rule 1, "job:up:relabelled": could not parse expression: label_replace(): the regular expression "(?U)(.+):\\\\d+" uses the ungreedy flag group (?U), which Tributary cannot translate from RE2; rewrite the regular expression without it (docs/promql.md lists the RE2 syntax Tributary refuses)`,
      `error: ${where('"(?-s')}: TRB_PROMQL_UNSUPPORTED processors.alertrules.rule_files: group "relabelled", rule 2, "SlowTools": could not parse expression: the regular expression "(?-s:.+)" uses the flag group (?-s:...) (. not matching newlines), which Tributary cannot translate from RE2; rewrite the regular expression without it (docs/promql.md lists the RE2 syntax Tributary refuses)`,
      `error: ${where('sort_by_label')}: TRB_PROMQL_UNSUPPORTED processors.alertrules.rule_files: group "relabelled", rule 3, "job:sorted": could not parse expression: function "sort_by_label" is experimental in Prometheus 3.14 (behind --enable-feature=promql-experimental-functions), which Tributary does not enable`,
    ]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
  });
});
