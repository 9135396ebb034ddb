import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleFiles, RulesLoadError } from '../../../core/rules/index.js';
import { groupsOf, problemsOf, ruleDir } from './helpers.js';

const at = (line: number, column: number) => expect.objectContaining({ line, column });

describe('loading rule files', () => {
  it('reads groups, intervals, limits, offsets, group labels and both kinds of rules', () => {
    const [group] = groupsOf(`
groups:
  - name: api
    interval: 30s
    limit: 10
    query_offset: 1m
    labels: { team: core }
    rules:
      - record: job:requests:rate5m
        expr: sum by (job) (rate(requests_total[5m]))
        labels: { kind: recorded }
      - alert: Slow
        expr: job:requests:rate5m > 1
        for: 5m
        keep_firing_for: 10m
        labels: { severity: "{{ if gt $value 10.0 }}page{{ else }}ticket{{ end }}" }
        annotations: { summary: "{{ $labels.job }} is slow" }
`);
    expect(group).toMatchObject({ name: 'api', intervalMs: 30_000, limit: 10, queryOffsetMs: 60_000 });
    const [record, alert] = group?.rules ?? [];
    expect(record).toMatchObject({
      kind: 'recording',
      name: 'job:requests:rate5m',
      labels: { team: 'core', kind: 'recorded' },
      expr: { text: 'sum by (job) (rate(requests_total[5m]))', position: at(10, 15) },
    });
    expect(alert).toMatchObject({ kind: 'alerting', name: 'Slow', forMs: 300_000, keepFiringForMs: 600_000 });
    expect(alert?.kind === 'alerting' && [...alert.labels.keys()]).toEqual(['team', 'severity']);
  });

  it('follows YAML anchors and aliases', () => {
    const [group] = groupsOf(`
groups:
  - name: g
    rules:
      - alert: A
        expr: &expr up == 0
        labels: &page { severity: page }
      - alert: B
        expr: *expr
        labels: *page
`);
    expect(
      group?.rules.map((r) => [r.name, r.expr.text, r.kind === 'alerting' && [...r.labels.keys()]]),
    ).toEqual([
      ['A', 'up == 0', ['severity']],
      ['B', 'up == 0', ['severity']],
    ]);
  });

  it('loads the monitoring guide rules unchanged', async () => {
    const guide = resolve('examples/prometheus/mcp-alerts.rules.yaml');
    const groups = await loadRuleFiles([guide], { baseDir: '/' });
    const names = groups.flatMap((g) => g.rules.map((r) => r.name));
    expect(names).toContain('HighErrorRate');
    expect(readFileSync(guide, 'utf8')).toContain(
      'rate(mcp_tool_executions_total{status="error"}[5m]) > 0.1',
    );
  });

  it('resolves globs relative to the base directory, in order, each file once', async () => {
    const rule = (name: string) => `groups: [{ name: ${name}, rules: [{ record: r_${name}, expr: "1" }] }]\n`;
    const dir = ruleDir({ 'b.rules.yaml': rule('b'), 'a.rules.yaml': rule('a'), 'notes.txt': 'x' });
    const groups = await loadRuleFiles(['b.rules.yaml', '*.rules.yaml'], { baseDir: dir });
    expect(groups.map((g) => g.name)).toEqual(['b', 'a']);
    expect(groups[0]?.file).toBe(join(dir, 'b.rules.yaml'));
  });

  it('says when a pattern matches no file', async () => {
    const dir = ruleDir({});
    const error = await loadRuleFiles(['missing/*.yaml'], { baseDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RulesLoadError);
    expect((error as RulesLoadError).problems).toEqual([
      expect.objectContaining({
        code: 'TRB_RULES_FILES',
        message: expect.stringContaining('no rule file matches'),
      }),
    ]);
  });
});

describe('rule file problems, located in the file', () => {
  it('a PromQL syntax error: the line and the column inside the expression', () => {
    const problems = problemsOf(`groups:
  - name: g
    rules:
      - alert: Broken
        expr: rate(requests_total[5m]) >> 1
`);
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'TRB_PROMQL_PARSE',
        line: 5,
        column: 41,
        message: expect.stringContaining('group "g", rule 1, "Broken": could not parse expression'),
      }),
    ]);
  });

  it('an error inside a block scalar expression: the line of the file it is on', () => {
    const problems = problemsOf(`groups:
  - name: g
    rules:
      - record: r
        expr: |
          sum by (job) (
            rate(requests_total[5m]
          )
`);
    expect(problems[0]).toMatchObject({ code: 'TRB_PROMQL_PARSE', line: 8, column: 12 });
  });

  it('an unsupported function: TRB_PROMQL_UNSUPPORTED at the call', () => {
    const problems = problemsOf(`groups:
  - name: g
    rules:
      - record: r
        expr: "sum(info(up))"
`);
    expect(problems[0]).toMatchObject({ code: 'TRB_PROMQL_UNSUPPORTED', line: 5, column: 20 });
    expect(problems[0]?.message).toContain('info');
  });

  it('a template syntax error in an annotation: where in the annotation', () => {
    const problems = problemsOf(`groups:
  - name: g
    rules:
      - alert: A
        expr: up == 0
        annotations:
          summary: "{{ $labels.instance }} is {{ nosuch $value }}"
`);
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'TRB_RULES_TEMPLATE',
        line: 7,
        column: 50,
        message: expect.stringContaining('annotation "summary": template: function "nosuch" not defined'),
      }),
    ]);
  });

  it('a template error inside a multi-line annotation: the line and column of the file', () => {
    const problems = problemsOf(`groups:
  - name: g
    rules:
      - alert: A
        expr: up == 0
        annotations:
          description: |
            {{ $labels.instance }} is down.
            Value: {{ $value | humanise }}
`);
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'TRB_RULES_TEMPLATE',
        line: 9,
        column: 32,
        message: expect.stringContaining('function "humanise" not defined'),
      }),
    ]);
  });

  it.each([
    [
      'both record and alert',
      `groups: [{ name: g, rules: [{ record: r, alert: A, expr: up }] }]`,
      "only one of 'record' and 'alert' must be set",
    ],
    [
      'neither record nor alert',
      `groups: [{ name: g, rules: [{ expr: up }] }]`,
      "one of 'record' or 'alert' must be set",
    ],
    ['no expression', `groups: [{ name: g, rules: [{ alert: A }] }]`, "field 'expr' must be set in rule"],
    [
      'a repeated group name',
      `groups: [{ name: g, rules: [] }, { name: g, rules: [] }]`,
      'groupname: "g" is repeated in the same file',
    ],
    ['an empty group name', `groups: [{ name: "", rules: [] }]`, 'Groupname must not be empty'],
    [
      '__name__ as a label',
      `groups: [{ name: g, rules: [{ alert: A, expr: up, labels: { __name__: x } }] }]`,
      'invalid label name: __name__',
    ],
    [
      'for on a recording rule',
      `groups: [{ name: g, rules: [{ record: r, expr: up, for: 5m }] }]`,
      "invalid field 'for' in recording rule",
    ],
    [
      'a bad duration',
      `groups: [{ name: g, rules: [{ alert: A, expr: up, for: 5 minutes }] }]`,
      'for: not a valid duration string: "5 minutes"',
    ],
    [
      'an unknown field',
      `groups: [{ name: g, rules: [{ alert: A, expr: up, severity: high }] }]`,
      'field severity not found in a rule',
    ],
  ])('%s', (_what, text, message) => {
    const problems = problemsOf(`${text}\n`);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ line: 1, message: expect.stringContaining(message) });
    expect(problems[0]?.code).toMatch(/^TRB_RULES_(PARSE|INVALID)$/);
  });

  it('YAML that does not parse: TRB_RULES_PARSE', () => {
    expect(problemsOf('groups: [{ name: g\n')).toEqual([
      expect.objectContaining({
        code: 'TRB_RULES_PARSE',
        line: 2,
        message: expect.stringContaining('Flow map'),
      }),
    ]);
  });

  it('reports every problem of every file, not just the first', () => {
    const problems = problemsOf(`groups:
  - name: g
    rules:
      - alert: A
        expr: up ==
      - record: r
        expr: sum(
`);
    expect(problems.map((p) => p.line)).toEqual([5, 7]);
  });
});
