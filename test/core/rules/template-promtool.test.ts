// Alert templates expanded by Tributary, then checked by Debian's promtool (`promtool test rules`):
// promtool passes only when every label and annotation is what Prometheus itself produces.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { MemoryStorage } from '../../../core/promql/index.js';
import { GroupEvaluator, loadRuleFilesSync } from '../../../core/rules/index.js';
import { promtool } from '../../e2e/prometheus-helpers.js';
import { ruleDir } from './helpers.js';

const ANNOTATIONS: Record<string, string> = {
  value: '{{ $value }}',
  humanize:
    '{{ $value | humanize }} {{ 0.000123 | humanize }} {{ humanize1024 1048576.0 }} {{ humanize 1e30 }}',
  durations: '{{ humanizeDuration 90061.5 }} {{ humanizeDuration 0.0123 }} {{ humanizeDuration 59.99 }}',
  percentage: '{{ humanizePercentage 0.0712 }} {{ "0.5" | humanizePercentage }}',
  timestamp: '{{ humanizeTimestamp 1435065584.128 }}',
  printf:
    '{{ printf "%.2f|%5.1f|%-4s|%d|%q|%v|%x|%e|%g" 3.14159 2.25 "ab" 42 "q" true 255 1234.5678 0.000012345 }}',
  labels: '{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}',
  strings:
    '{{ "hello world" | title }} {{ toUpper "a" }} {{ toLower "B" }} {{ reReplaceAll "(\\\\w+)\\\\.example" "[$1]" $labels.instance }} {{ match "^host" $labels.instance }}',
  net: '{{ stripPort $labels.instance }} {{ stripPort "[::1]:9090" }}',
  links: '{{ graphLink "up == 0" }} {{ tableLink "rate(x[5m])" }}',
  // externalURL and pathPrefix are left out: promtool 2.42's unit tests have no external URL for them.
  external: '{{ $externalURL }} {{ $externalLabels.cluster }}',
  query:
    '{{ with query "sum(errors)" }}{{ . | first | value | printf "%.4f" }}{{ end }} {{ range query "errors" | sortByLabel "instance" }}{{ .Labels.instance }}:{{ .Value }} {{ end }}',
  control:
    '{{ if and (gt $value 1000.0) (eq $labels.job "api") }}big{{ else if gt $value 0.1 }}mid{{ else }}small{{ end }} {{ len $labels }} {{ index $labels "job" }} {{ $x := 2 }}{{ $x }} {{ not false }} {{ or "" "dflt" }} {{ print 1 2 "a" }}',
  trim: '{{- "a" -}}   b   {{- " c" }}',
  misc: 'x{{/* a comment */}}y {{ $labels.missing }}|{{ .Value }}',
};

const SERIES = [
  { labels: { __name__: 'errors', instance: 'host.example:9100', job: 'api' }, value: 1234567 },
  { labels: { __name__: 'errors', instance: 'web.example:80', job: 'web' }, value: 0.5 },
];
const EVAL_MS = 5 * 60_000;

describe('alert templates against promtool', () => {
  it('expand every label and annotation exactly as Prometheus', async () => {
    const rules = {
      groups: [
        {
          name: 'templates',
          rules: [
            {
              alert: 'Templated',
              expr: 'errors > 0.05',
              labels: {
                severity: '{{ if gt $value 1.0 }}page{{ else }}ticket{{ end }}',
                empty: '{{ $labels.none }}',
              },
              annotations: ANNOTATIONS,
            },
          ],
        },
      ],
    };
    const dir = ruleDir({ 'templates.rules.yaml': stringify(rules) });
    const [group] = loadRuleFilesSync(['templates.rules.yaml'], { baseDir: dir });
    const storage = new MemoryStorage();
    for (const s of SERIES) for (let t = 0; t <= EVAL_MS; t += 60_000) storage.append(s.labels, t, s.value);
    const evaluator = new GroupEvaluator(group as NonNullable<typeof group>, {
      storage,
      intervalMs: 60_000,
      externalLabels: { cluster: 'eu1' },
      externalUrl: 'https://prometheus.example/prefix',
    });
    let alerts = evaluator.evaluate(0).alerts;
    for (let t = 60_000; t <= EVAL_MS; t += 60_000) alerts = evaluator.evaluate(t).alerts;
    expect(alerts).toHaveLength(2);

    const test = {
      rule_files: ['templates.rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          external_labels: { cluster: 'eu1' },
          external_url: 'https://prometheus.example/prefix',
          input_series: SERIES.map((s) => ({
            series: `errors{instance="${s.labels.instance}",job="${s.labels.job}"}`,
            values: `${s.value}x5`,
          })),
          alert_rule_test: [
            {
              eval_time: '5m',
              alertname: 'Templated',
              exp_alerts: alerts.map((a) => {
                const { alertname: _, ...labels } = a.labels;
                return { exp_labels: labels, exp_annotations: a.annotations };
              }),
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'templates.test.yaml'), stringify(test));
    const { code, output } = await promtool(['test', 'rules', join(dir, 'templates.test.yaml')]);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
    // What promtool agreed with, for the reader.
    const web = alerts.find((a) => a.labels.job === 'web');
    expect(web?.annotations.humanize).toBe('500m 123u 1Mi 1e+06Y');
    expect(web?.labels.severity).toBe('ticket');
  });
});
