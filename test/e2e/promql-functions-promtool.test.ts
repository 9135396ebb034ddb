// Our PromQL functions against a real Prometheus engine: Debian's promtool (2.42) evaluates the same
// expressions on the same series in a rule unit test whose expected values are our answers, compared
// exactly (promtool's reflect.DeepEqual); where it disagrees, its `got:` line says what Prometheus
// computed. The cases avoid what 3.x changed: no sample sits on a window's left edge (3.x's windows
// are left-open), counters start far from zero (2.42 cut extrapolation at the zero point before its
// threshold check), no function whose float algorithm changed (avg_over_time, stddev/stdvar_over_time
// are Kahan-compensated in 3.x), no NaN (never DeepEqual). Prometheus's own 3.14 test files cover the
// rest (test/core/promql/promqltest.test.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { evaluateInstant, MemoryStorage, parseExpr } from '../../core/promql/index.js';
import { parseSeriesDescription, seriesPoints } from '../../core/promql/series-notation.js';
import type { Labels } from '../../core/promql/types.js';

const dir = mkdtempSync(join(tmpdir(), 'trb-promql-functions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** promtool's input_series: one value a minute from 0. */
const SERIES: Readonly<Record<string, string>> = {
  'requests_total{path="/a"}': '100+10x30',
  'requests_total{path="/b"}': '200+20x8 5+20x21',
  'temperature{room="x"}': '20 22 21 25 19 18 23 30 12 15 16 14 13 17 21 22 24 20 19 18 25',
  'temperature{room="y"}': '-5 -3.5 -4 2 7.25 1 0 -2 3 3 3 8 9 -1 4 4 4 4 6 5.5 2',
  'latency_bucket{le="0.1"}': '50+5x30',
  'latency_bucket{le="0.5"}': '80+9x30',
  'latency_bucket{le="1"}': '95+12x30',
  'latency_bucket{le="+Inf"}': '100+13x30',
  'epoch_seconds{at="a"}': '1136239445x20',
  'epoch_seconds{at="b"}': '1456790399x20',
  'info{src="source-value-10", dst="d"}': '1x20',
  'info{src="other", dst="d"}': '2x20',
};

/** [expression, evaluation time] promtool must answer to the bit as we do; no window starts on a minute. */
const EXACT: readonly (readonly [string, string])[] = [
  ['rate(requests_total[5m])', '10m30s'],
  ['deriv(requests_total[10m])', '10m30s'],
  ['deriv(temperature[10m])', '4m30s'],
  ['predict_linear(requests_total[15m], 3600)', '16m30s'],
  ['increase(requests_total[5m])', '10m30s'],
  ['increase(requests_total[7m])', '12m20s'],
  ['rate(requests_total[3m] offset 2m)', '15m10s'],
  ['delta(temperature[5m])', '10m30s'],
  ['irate(requests_total[5m])', '9m30s'],
  ['idelta(temperature[5m])', '10m30s'],
  ['deriv(temperature[10m])', '12m30s'],
  ['predict_linear(temperature[10m], 600)', '12m30s'],
  ['resets(requests_total[20m])', '20m30s'],
  ['changes(temperature[15m])', '15m30s'],
  ['sum_over_time(temperature[5m])', '10m30s'],
  ['count_over_time(temperature[5m])', '10m30s'],
  ['min_over_time(temperature[5m])', '10m30s'],
  ['max_over_time(temperature[5m])', '10m30s'],
  ['last_over_time(temperature[5m])', '10m30s'],
  ['present_over_time(temperature[5m])', '10m30s'],
  ['quantile_over_time(0.9, temperature[10m])', '10m30s'],
  ['quantile_over_time(0.25, temperature[7m])', '18m30s'],
  ['histogram_quantile(0.9, rate(latency_bucket[5m]))', '10m30s'],
  ['histogram_quantile(0.5, latency_bucket)', '20m'],
  ['histogram_quantile(0.99, sum by (le) (increase(latency_bucket[10m])))', '25m30s'],
  ['abs(temperature)', '4m'],
  ['ceil(temperature / 3)', '4m'],
  ['floor(temperature / 3)', '4m'],
  ['round(temperature / 3)', '4m'],
  ['round(temperature, 0.5)', '4m'],
  ['sgn(temperature)', '13m'],
  ['sqrt(abs(temperature))', '4m'],
  ['clamp(temperature, 0, 21)', '4m'],
  ['clamp_min(temperature, 1)', '4m'],
  ['clamp_max(temperature, 1)', '4m'],
  ['year(epoch_seconds)', '1m'],
  ['month(epoch_seconds)', '1m'],
  ['day_of_month(epoch_seconds)', '1m'],
  ['day_of_week(epoch_seconds)', '1m'],
  ['day_of_year(epoch_seconds)', '1m'],
  ['days_in_month(epoch_seconds)', '1m'],
  ['hour(epoch_seconds)', '1m'],
  ['minute(epoch_seconds)', '1m'],
  ['minute()', '17m'],
  ['label_replace(info, "dst", "v-$1", "src", "source-value-(.*)")', '3m'],
  ['label_replace(info, "dst", "$1$2", "src", "(?P<a>s)ource|(o)ther")', '3m'],
  ['label_join(info, "joined", "/", "src", "dst", "missing")', '3m'],
  ['sort_desc(temperature)', '6m'],
  ['timestamp(temperature)', '6m30s'],
  ['time()', '6m30s'],
  ['vector(time())', '6m30s'],
  ['scalar(temperature{room="x"})', '6m'],
  ['absent(nothing{job="a", instance=~"b.*"})', '5m'],
  ['absent_over_time(nothing{job="a"}[5m])', '5m'],
];

/**
 * Functions of V8's libm (Math.log, Math.sin...), which can differ from Go's math in the last bit
 * (Prometheus's test files compare to 1e-6): promtool must agree to within a few units in the last place.
 */
const LAST_BITS: readonly string[] = [
  'ln(abs(temperature) + 1)',
  'log2(abs(temperature) + 1)',
  'log10(abs(temperature) + 1)',
  'exp(temperature / 10)',
  'sin(temperature)',
  'cos(temperature)',
  'tan(temperature)',
  'asin(temperature / 40)',
  'acos(temperature / 40)',
  'atan(temperature)',
  'sinh(temperature / 10)',
  'cosh(temperature / 10)',
  'tanh(temperature / 10)',
  'asinh(temperature)',
  'acosh(abs(temperature) + 1)',
  'atanh(temperature / 40)',
  'deg(temperature)',
  'rad(temperature)',
];
const LAST_BITS_AT = ['4m', '10m30s', '17m'];
const CASES = [...EXACT, ...LAST_BITS.flatMap((e) => LAST_BITS_AT.map((t) => [e, t] as const))];
const ULPS = 4 * Number.EPSILON;

const STEP_MS = 60_000;

function storage(): MemoryStorage {
  const s = new MemoryStorage();
  for (const [series, values] of Object.entries(SERIES)) {
    const d = parseSeriesDescription(`${series} ${values}`);
    for (const p of seriesPoints(d, 0, STEP_MS)) s.append(d.labels, p.t, p.v);
  }
  return s;
}

/** Labels as promtool reads them: `name{a="b"}`. */
function promtoolLabels(labels: Labels): string {
  const { __name__: name = '', ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`);
  return `${name}{${pairs.join(', ')}}`;
}

function durationMs(text: string): number {
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(m|s)/g)) ms += Number(n) * (unit === 'm' ? 60_000 : 1000);
  return ms;
}

/** Our answer to each case, as promtool's expected samples. */
function ourAnswers(): {
  expr: string;
  eval_time: string;
  exp_samples: { labels: string; value: number }[];
}[] {
  const s = storage();
  return CASES.map(([expr, at]) => {
    const value = evaluateInstant(parseExpr(expr), s, durationMs(at));
    const samples =
      value.type === 'vector'
        ? value.samples.map((x) => ({ labels: promtoolLabels(x.labels), value: x.v }))
        : value.type === 'scalar'
          ? [{ labels: '{}', value: value.v }]
          : [];
    for (const x of samples)
      if (!Number.isFinite(x.value)) throw new Error(`${expr}: ${x.value} cannot be compared`);
    return { expr, eval_time: at, exp_samples: samples };
  });
}

function promtoolTest(name: string, tests: ReturnType<typeof ourAnswers>): { ok: boolean; output: string } {
  const file = join(dir, `${name}.test.yaml`);
  const input_series = Object.entries(SERIES).map(([series, values]) => ({ series, values }));
  writeFileSync(file, stringify({ tests: [{ interval: '1m', input_series, promql_expr_test: tests }] }));
  try {
    return {
      ok: true,
      output: execFileSync('promtool', ['test', 'rules', file], { encoding: 'utf8', stdio: 'pipe' }),
    };
  } catch (err) {
    const e = err as { stdout: string; stderr: string };
    return { ok: false, output: `${e.stdout}${e.stderr}` };
  }
}

/** What promtool computed where it disagrees with us: `expr@time` to `labels value` pairs. */
function disagreements(output: string): Map<string, { expected: string[]; got: string[] }> {
  const found = new Map<string, { expected: string[]; got: string[] }>();
  const pairs = (line: string) =>
    [...line.matchAll(/(\S*\{[^}]*\}) ([^\s,]+)/g)].map((m) => `${m[1]} ${m[2]}`);
  for (const m of output.matchAll(/expr: "(.*)", time: (\S+),\n\s+exp: (.*)\n\s+got: (.*)/g))
    found.set(`${m[1]}@${m[2]}`, { expected: pairs(m[3] as string), got: pairs(m[4] as string) });
  return found;
}

function closeEnough(ours: string, theirs: string): boolean {
  const [labelsA, a] = ours.split(' ');
  const [labelsB, b] = theirs.split(' ');
  const [x, y] = [Number(a), Number(b)];
  return labelsA === labelsB && Math.abs(x - y) <= ULPS * Math.max(Math.abs(x), Math.abs(y));
}

describe('our PromQL functions agree with the Prometheus engine in promtool', () => {
  const answers = ourAnswers();
  const { ok, output } = promtoolTest('ours', answers);
  const differing = disagreements(output);

  it('answers every case (none empty, so the comparison means something)', () => {
    expect(answers.filter((a) => a.exp_samples.length === 0).map((a) => a.expr)).toEqual([]);
    expect(output).toContain('Unit Testing:');
  });

  it('gives exactly the samples promtool computes', () => {
    const exact = EXACT.map(([expr, at]) => `${expr}@${at}`);
    expect(exact.filter((c) => differing.has(c)).map((c) => [c, differing.get(c)])).toEqual([]);
    if (differing.size === 0) expect(ok).toBe(true);
  });

  it("gives libm functions' values to within a few units in the last place", () => {
    expect(differing.size).toBeLessThan(LAST_BITS.length * LAST_BITS_AT.length);
    for (const [c, { expected, got }] of differing) {
      expect(got.length, c).toBe(expected.length);
      for (const [i, theirs] of got.entries())
        expect(closeEnough(expected[i] as string, theirs), `${c}: ${expected[i]} vs ${theirs}`).toBe(true);
    }
  });

  it('fails promtool when one of our answers is off by one ulp', () => {
    const [first, ...rest] = answers;
    if (!first) throw new Error('no cases');
    const sample = first.exp_samples[0] as { labels: string; value: number };
    const nudged = {
      ...first,
      exp_samples: [{ ...sample, value: sample.value * (1 + Number.EPSILON) }, ...first.exp_samples.slice(1)],
    };
    const result = promtoolTest('nudged', [nudged, ...rest]);
    expect(result.ok).toBe(false);
    expect(disagreements(result.output).has(`${first.expr}@${first.eval_time}`)).toBe(true);
  });
});
