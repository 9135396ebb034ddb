import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration, formatFloatE } from '../../../../core/rules/unittest/format.js';
import { addTestRulesCommand, runTestFile } from '../../../../core/rules/unittest/index.js';

const ROOT = join(import.meta.dirname, '../../../..');
const SHIPPED = [
  'examples/prometheus/mcp-alerts.test.yaml',
  'examples/prometheus/httpcheck-alerts.test.yaml',
  'config/alerts/mcp-server.test.yaml',
  'config/alerts/latency.test.yaml',
  'config/alerts/errors.test.yaml',
  'config/alerts/host.test.yaml',
];

/** Runs `tributary test-rules ARGS...` in-process; what it printed and its exit code. */
async function testRules(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const out = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk, _encoding, done) {
        out[key] += String(chunk);
        done();
      },
    });
  const program = new Command().exitOverride();
  addTestRulesCommand(program, { stdout: sink('stdout'), stderr: sink('stderr') });
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['test-rules', ...args], { from: 'user' });
    return { ...out, code: typeof process.exitCode === 'number' ? process.exitCode : 0 };
  } finally {
    process.exitCode = before;
  }
}

describe("promtool's printing", () => {
  it('prints durations as model.Duration does', () => {
    expect([0, 15_000, 195_000, 5_400_000, 86_400_000, 90_061_001].map(formatDuration)).toEqual([
      '0s',
      '15s',
      '3m15s',
      '1h30m',
      '1d',
      '1d1h1m1s1ms',
    ]);
  });

  it("prints values as Go's strconv.FormatFloat(v, 'E', -1, 64)", () => {
    expect([0.5, 40, 1.25, 0, -3e-7, 1e21, Number.POSITIVE_INFINITY, Number.NaN].map(formatFloatE)).toEqual([
      '5E-01',
      '4E+01',
      '1.25E+00',
      '0E+00',
      '-3E-07',
      '1E+21',
      '+Inf',
      'NaN',
    ]);
  });
});

describe('tributary test-rules on test files it cannot use', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'test-rules-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('names the file, line and column of an unknown key, as a failure of that file', async () => {
    const file = join(dir, 'unknown-key.test.yaml');
    await writeFile(file, 'rule_files: []\ntests:\n  - interval: 1m\n    input_serie: []\n');
    const { errors } = await runTestFile(file);
    expect(errors).toEqual([
      `${file}:4:5: TRB_RULES_TEST_INVALID tests[0].input_serie: unknown key "input_serie"; a test file has rule_files, evaluation_interval, group_eval_order, tests and fuzzy_compare, as promtool's`,
    ]);
  });

  it('refuses a duration Prometheus would not read, at its position', async () => {
    const file = join(dir, 'bad-duration.test.yaml');
    await writeFile(file, 'evaluation_interval: 1 minute\ntests: []\n');
    const { errors } = await runTestFile(file);
    expect(errors[0]).toMatch(
      /bad-duration\.test\.yaml:1:22: TRB_RULES_TEST_INVALID evaluation_interval: not a valid duration string: "1 minute"/,
    );
  });

  it('refuses a repeated group in group_eval_order, as promtool does', async () => {
    const file = join(dir, 'repeated.test.yaml');
    await writeFile(file, 'group_eval_order: [a, b, a]\ntests: []\n');
    expect((await runTestFile(file)).errors).toEqual(['group name repeated in evaluation order: a']);
  });

  it('fails a file whose rule_files match nothing, where promtool only warns', async () => {
    const file = join(dir, 'no-rules.test.yaml');
    await writeFile(
      file,
      'rule_files: [alerts-*.yaml]\ntests:\n  - alert_rule_test:\n      - { eval_time: 1m, alertname: X, exp_alerts: [] }\n',
    );
    const { errors } = await runTestFile(file);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/alerts-\*\.yaml.*TRB_RULES_FILES no rule file matches "alerts-\*\.yaml"/);
  });

  it('names the input series it cannot read, with the position inside it', async () => {
    const file = join(dir, 'bad-series.test.yaml');
    await writeFile(
      file,
      `tests:\n  - input_series:\n      - series: 'up{job="api"'\n        values: "1x3"\n`,
    );
    expect((await runTestFile(file)).errors).toEqual([
      '    series: "up{job=\\"api\\"", values: "1x3": 1:14: expected "," or "}" in label set',
    ]);
  });

  it('reports every file, and exits 1 when one fails', async () => {
    const good = join(dir, 'empty.test.yaml');
    await writeFile(good, 'tests: []\n');
    const bad = join(dir, 'missing.test.yaml');
    const run = await testRules(good, bad);
    expect(run.stdout).toBe(`Unit Testing:  ${good}\n  SUCCESS\n\nUnit Testing:  ${bad}\n\n\n`);
    expect(run.stderr).toMatch(
      new RegExp(
        `^  FAILED:\\n${bad.replace(/[.]/g, '\\.')}: TRB_RULES_TEST_INVALID cannot read the test file: ENOENT`,
      ),
    );
    expect(run.code).toBe(1);
  });
});

describe('tributary test-rules on what promtool checks', () => {
  const fixture = (name: string) => join(ROOT, 'test/fixtures/rule-tests', name);

  it('evaluates recording rules before the alerts that read them (group_eval_order), with external labels and URL', async () => {
    expect(await runTestFile(fixture('features.test.yaml'))).toEqual({
      file: fixture('features.test.yaml'),
      errors: [],
      groups: [{ name: 'busy api', errors: [] }],
    });
  });

  it('evaluates in group_eval_order: an alert evaluated before its recording rule sees it one cycle late', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'test-rules-'));
    const order = (groups: string) => `rule_files: [features.rules.yaml]
evaluation_interval: 30s
group_eval_order: ${groups}
tests:
  - interval: 30s
    external_labels: { cluster: eu1 }
    input_series:
      - series: 'requests_total{job="api"}'
        values: "0+120x10"
    alert_rule_test:
      - eval_time: 1m30s
        alertname: TooManyRequests
        exp_alerts:
          - exp_labels: { severity: page, cluster: eu1, job: api }
            exp_annotations:
              summary: "api serves 4 requests a second"
              runbook: "/runbooks/requests"
`;
    try {
      await copyFile(fixture('features.rules.yaml'), join(dir, 'features.rules.yaml'));
      await writeFile(join(dir, 'first.test.yaml'), order('[recording, alerts]'));
      await writeFile(join(dir, 'late.test.yaml'), order('[alerts, recording]'));
      // Recorded first: pending from 30s, firing at 1m30s. Alert first: pending from 1m only.
      expect((await runTestFile(join(dir, 'first.test.yaml'))).errors).toEqual([]);
      const late = await runTestFile(join(dir, 'late.test.yaml'));
      expect(late.errors).toHaveLength(1);
      expect(late.errors[0]).toMatch(/alertname: TooManyRequests, time: 1m30s, \n[\s\S]*got:\[\]$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('starts the series and the clock at start_timestamp (RFC 3339 or Unix seconds), eval_time relative to it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'test-rules-'));
    const at = (start: string) => `tests:
  - interval: 1m
    start_timestamp: ${start}
    input_series:
      - series: 'up{job="api"}'
        values: "1 0 1"
    promql_expr_test:
      - expr: time()
        eval_time: 1m
        exp_samples: [{ value: 1700000060 }]
      - expr: up
        eval_time: 1m
        exp_samples: [{ labels: 'up{job="api"}', value: 0 }]
      - expr: timestamp(up)
        eval_time: 2m
        exp_samples: [{ labels: '{job="api"}', value: 1700000120 }]
`;
    try {
      await writeFile(join(dir, 'rfc3339.test.yaml'), at('"2023-11-14T22:13:20Z"'));
      await writeFile(join(dir, 'unix.test.yaml'), at('1700000000'));
      expect((await runTestFile(join(dir, 'rfc3339.test.yaml'))).errors).toEqual([]);
      expect((await runTestFile(join(dir, 'unix.test.yaml'))).errors).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes a value one float step away as equal only with fuzzy_compare', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'test-rules-'));
    // Prometheus 3's rate() of this series at 6m is 0.49999999999999994, one step below 0.5.
    const test = (fuzzy: boolean) => `fuzzy_compare: ${fuzzy}
tests:
  - interval: 15s
    input_series:
      - series: 'errors_total{job="api"}'
        values: "0+7.5x40"
    promql_expr_test:
      - expr: rate(errors_total[5m])
        eval_time: 6m
        exp_samples: [{ labels: '{job="api"}', value: 0.5 }]
`;
    try {
      await writeFile(join(dir, 'fuzzy.test.yaml'), test(true));
      await writeFile(join(dir, 'exact.test.yaml'), test(false));
      expect((await runTestFile(join(dir, 'fuzzy.test.yaml'))).errors).toEqual([]);
      expect((await runTestFile(join(dir, 'exact.test.yaml'))).errors).toEqual([
        '    expr: "rate(errors_total[5m])", time: 6m,\n        exp: {job="api"} 5E-01\n        got: {job="api"} 4.9999999999999994E-01',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs only the test groups --run names', async () => {
    const run = await testRules(fixture('failing.test.yaml'), '--run', '^wrong');
    expect(run.stderr.match(/^ {4}name: wrong expectations,$/gm)).toHaveLength(3);
    expect(run.stderr).not.toContain('expr:');
    expect(run.code).toBe(1);
    // Go's RE2, as promtool: an inline flag JavaScript's RegExp would refuse.
    const folded = await testRules(fixture('failing.test.yaml'), '--run', '(?i)^WRONG');
    expect(folded.stderr).toBe(run.stderr);
    const none = await testRules(fixture('failing.test.yaml'), '--run', '^no such group$');
    expect(none.stdout).toContain('  SUCCESS');
    expect(none.code).toBe(0);
  });

  it('writes JUnit XML as promtool: a suite per file, a case per test group, a failure per error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'test-rules-'));
    try {
      const junit = join(dir, 'results.xml');
      const missing = join(dir, 'missing.test.yaml');
      const run = await testRules(
        fixture('features.test.yaml'),
        fixture('failing.test.yaml'),
        missing,
        '--junit',
        junit,
      );
      expect(run.code).toBe(1);
      const xml = await readFile(junit, 'utf8');
      const suites = xml.match(/<testsuite [^>]*>/g) ?? [];
      expect(suites.map((s) => s.replace(/ timestamp="[^"]*"/, ''))).toEqual([
        `<testsuite name="${fixture('features.test.yaml')}" tests="1" failures="0" errors="0" skipped="0">`,
        `<testsuite name="${fixture('failing.test.yaml')}" tests="2" failures="6" errors="0" skipped="0">`,
        `<testsuite name="${missing}" tests="1" failures="0" errors="1" skipped="0">`,
      ]);
      expect(xml).toContain('<testcase name="busy api"></testcase>');
      expect(xml).toContain(
        '<testcase name="unnamed#1"><failure>    expr: &#34;job:requests:rate1m&#34;, time: 5m,&#xA;',
      );
      expect(xml).toMatch(
        /<testcase name="unknown"><error>[^<]*TRB_RULES_TEST_INVALID cannot read the test file/,
      );
      expect(xml.startsWith('<testsuites>') && xml.endsWith('</testsuites>')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a --run that is not a regular expression, saying so', async () => {
    await expect(testRules(fixture('failing.test.yaml'), '--run', '(')).rejects.toMatchObject({
      code: 'TRB_CLI_INVALID_ARGUMENT',
    });
  });
});

describe('tributary test-rules on the shipped rule tests', () => {
  it.each(SHIPPED)('%s passes', async (file) => {
    const run = await testRules(join(ROOT, file));
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`Unit Testing:  ${join(ROOT, file)}\n  SUCCESS\n\n`);
    expect(run.code).toBe(0);
  });

  it('fails a wrong expectation with promtool diff: the expected and the firing alerts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'test-rules-'));
    try {
      await copyFile(join(ROOT, 'config/alerts/mcp-server.rules.yaml'), join(dir, 'mcp-server.rules.yaml'));
      const text = await readFile(join(ROOT, 'config/alerts/mcp-server.test.yaml'), 'utf8');
      const wrong = text.replace(
        'Error rate is 0.5 errors per second',
        'Error rate is 0.7 errors per second',
      );
      expect(wrong).not.toBe(text);
      await writeFile(join(dir, 'mcp-server.test.yaml'), wrong);
      const run = await testRules(join(dir, 'mcp-server.test.yaml'), '--run', '^$');
      const labels =
        '{alertname="HighErrorRate", job="mcp-server", otel_scope_name="tributary-mcp", severity="warning", status="error", tool="search"}';
      expect(run.stderr).toBe(
        [
          '  FAILED:',
          '    alertname: HighErrorRate, time: 6m, ',
          '        exp:[',
          '            0:',
          `              Labels:${labels}`,
          '              Annotations:{description="Error rate is 0.7 errors per second", summary="High error rate detected"}',
          '            ], ',
          '        got:[',
          '            0:',
          `              Labels:${labels}`,
          '              Annotations:{description="Error rate is 0.5 errors per second", summary="High error rate detected"}',
          '            ]',
          '',
        ].join('\n'),
      );
      expect(run.code).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails a wrong promql_expr_test value with both sample lists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'test-rules-'));
    try {
      await copyFile(join(ROOT, 'config/alerts/errors.rules.yaml'), join(dir, 'errors.rules.yaml'));
      const text = await readFile(join(ROOT, 'config/alerts/errors.test.yaml'), 'utf8');
      await writeFile(join(dir, 'errors.test.yaml'), text.replace('value: 40', 'value: 41'));
      const run = await testRules(join(dir, 'errors.test.yaml'));
      expect(run.stderr).toBe(
        [
          '  FAILED:',
          '    expr: "sum by (error_type) (increase(errors_total[5m]))", time: 10m,',
          '        exp: {error_type="timeout"} 5E+00, {error_type="tool_error"} 4.1E+01',
          '        got: {error_type="timeout"} 5E+00, {error_type="tool_error"} 4E+01',
          '',
        ].join('\n'),
      );
      expect(run.code).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
