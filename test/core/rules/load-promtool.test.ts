// Rule files Prometheus refuses, Tributary refuses; rule files it takes, Tributary takes. The judge is
// Debian's promtool (`promtool check rules`), on cases where Prometheus 2.42 and 3.14 agree.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleFilesSync, RulesLoadError } from '../../../core/rules/index.js';
import { promtool } from '../../e2e/prometheus-helpers.js';
import { ruleDir } from './helpers.js';

const rule = (body: string, group = 'g') => `groups:\n  - name: ${group}\n    rules:\n${body}`;

const CASES: Record<string, string> = {
  'both-kinds': rule('      - record: r\n        alert: A\n        expr: up\n'),
  'no-kind': rule('      - expr: up\n'),
  'no-expr': rule('      - alert: A\n'),
  'bad-promql': rule('      - alert: A\n        expr: rate(up[5m]\n'),
  'unknown-function': rule('      - record: r\n        expr: rates(up[5m])\n'),
  'range-where-instant': rule('      - record: r\n        expr: up[5m] > 1\n'),
  'repeated-group': 'groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n',
  'empty-group-name': 'groups:\n  - name: ""\n    rules: []\n',
  'for-on-recording': rule('      - record: r\n        expr: up\n        for: 5m\n'),
  'annotations-on-recording': rule('      - record: r\n        expr: up\n        annotations: { a: b }\n'),
  'unknown-field': rule('      - alert: A\n        expr: up\n        severity: page\n'),
  'bad-duration': rule('      - alert: A\n        expr: up\n        for: 5 minutes\n'),
  'template-unknown-function': rule(
    '      - alert: A\n        expr: up\n        annotations: { a: "{{ nosuch $value }}" }\n',
  ),
  'template-unclosed': rule('      - alert: A\n        expr: up\n        labels: { a: "{{ if true }}x" }\n'),
  'not-yaml': 'groups: [ { name: g\n',
  'name-label': rule('      - alert: A\n        expr: up\n        labels: { __name__: x }\n'),
};

const VALID: Record<string, string> = {
  guide: rule(
    '      - alert: HighErrorRate\n        expr: rate(mcp_tool_executions_total{status="error"}[5m]) > 0.1\n        for: 2m\n        labels: { severity: warning }\n        annotations: { description: "Error rate is {{ $value }} errors per second" }\n',
  ),
  recording: rule(
    '      - record: job:up:sum\n        expr: sum by (job) (up)\n        labels: { team: core }\n',
  ),
  templates: rule(
    '      - alert: A\n        expr: up == 0\n        keep_firing_for: 1m\n        annotations:\n          a: "{{ range $k, $v := $labels }}{{ $k }}={{ $v | toUpper }} {{ end }}{{ with query \\"up\\" }}{{ . | first | value | humanize }}{{ end }}"\n',
  ),
  // query_offset is left out: Prometheus 2.42 has no such key (2.53 added it).
  'interval-limit':
    'groups:\n  - name: g\n    interval: 30s\n    limit: 5\n    rules:\n      - record: r\n        expr: vector(1)\n',
  empty: '',
};

describe('rule files judged by promtool check rules', () => {
  const dir = ruleDir({
    ...Object.fromEntries(Object.entries(CASES).map(([name, text]) => [`${name}.yaml`, text])),
    ...Object.fromEntries(Object.entries(VALID).map(([name, text]) => [`${name}.yaml`, text])),
  });
  const loads = (name: string) => {
    try {
      loadRuleFilesSync([`${name}.yaml`], { baseDir: dir });
      return true;
    } catch (err) {
      if (err instanceof RulesLoadError) return false;
      throw err;
    }
  };

  it.each(Object.keys(CASES))('%s: refused by both', async (name) => {
    const { code, output } = await promtool(['check', 'rules', join(dir, `${name}.yaml`)]);
    expect(output).toContain('FAILED');
    expect(code).toBe(1);
    expect(loads(name)).toBe(false);
  });

  it.each(Object.keys(VALID))('%s: taken by both', async (name) => {
    const { code, output } = await promtool(['check', 'rules', join(dir, `${name}.yaml`)]);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
    expect(loads(name)).toBe(true);
  });
});
