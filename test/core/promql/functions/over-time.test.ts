import { describe, expect, it } from 'vitest';
import { call, matrix, overRange, results, scalar } from './helpers.js';

const values = (name: string, lines: string[], step: string, at: string, range: string) =>
  overRange(name, lines, step, at, range).map((s) => s.v);

// Expected values are Prometheus v3.14.0's, from promql/promqltest/testdata/functions.test.
describe('avg_over_time', () => {
  it('averages the window, and gives nothing for a window without points', () => {
    expect(values('avg_over_time', ['m 1 2 3 4 5'], '10s', '55s', '10s')).toEqual([]);
    expect(values('avg_over_time', ['m 1 2 3 4 5'], '10s', '55s', '20s')).toEqual([5]);
    expect(values('avg_over_time', ['m 1 2 3 4 5'], '10s', '55s', '1m')).toEqual([3]);
  });

  it.each([
    ['1 2 3 4 Inf', Number.POSITIVE_INFINITY],
    ['1 2 3 4 -Inf', Number.NEGATIVE_INFINITY],
    ['1 2 3 Inf -Inf', Number.NaN],
    ['Inf 0 Inf', Number.POSITIVE_INFINITY],
    ['-Inf -Inf -Inf Inf', Number.NaN],
    ['9.988465674311579e+307 9.988465674311579e+307', 9.988465674311579e307],
    ['-9.988465674311579e+307 -9.988465674311579e+307 -9.988465674311579e+307', -9.988465674311579e307],
    ['-9.988465674311579e+307 9.988465674311579e+307', 0],
    ['1.78264e50 0.76342771 1.9592258 7.69805412 458.90154', 3.56528e49],
    [
      '-1.78264E+215 0.76342771 1.9592258 2.258E+220 7.69805412 1.78264E+215 -458.90154',
      3.225714285714286e219,
    ],
  ])('of %s is %d (switching to an incremental mean only on overflow)', (series, expected) => {
    expect(values('avg_over_time', [`m ${series}`], '5s', '55s', '1m')).toEqual([expected]);
  });

  it('keeps detail across big intermediate values (Kahan summation)', () => {
    expect(values('avg_over_time', ['m 1 1e100 1 -1e100'], '10s', '1m', '2m')).toEqual([0.5]);
    expect(values('sum_over_time', ['m 1 1e100 1 -1e100'], '10s', '1m', '2m')).toEqual([2]);
  });

  it('averages a constant exactly', () => {
    for (const range of ['100s', '110s', '120s', '130s'])
      expect(values('avg_over_time', ['foo 52+0x100'], '10s', '10m', range)).toEqual([52]);
  });
});

describe('the other *_over_time functions', () => {
  it('sum_over_time overflows as float64 does, and counts dense points exactly', () => {
    expect(
      values('sum_over_time', ['m 9.988465674311579e+307 9.988465674311579e+307'], '10s', '55s', '1m'),
    ).toEqual([Number.POSITIVE_INFINITY]);
    expect(values('sum_over_time', ['m 1+0x4000'], '1ms', '4s', '1003ms')).toEqual([1003]);
    expect(values('count_over_time', ['m 1+0x4000'], '1ms', '4s', '2001ms')).toEqual([2001]);
  });

  it('stdvar_over_time and stddev_over_time are the population variance and deviation', () => {
    expect(values('stdvar_over_time', ['m 0 8 8 2 3'], '10s', '1m', '2m')[0]).toBeCloseTo(10.56, 12);
    expect(values('stddev_over_time', ['m 0 8 8 2 3'], '10s', '1m', '2m')[0]).toBeCloseTo(3.249615, 6);
  });

  it('min and max skip NaN unless every value is NaN', () => {
    expect(values('max_over_time', ['m NaN 1 5 NaN 3'], '10s', '1m', '2m')).toEqual([5]);
    expect(values('min_over_time', ['m NaN 1 5 NaN 3'], '10s', '1m', '2m')).toEqual([1]);
    expect(values('max_over_time', ['m NaN NaN'], '10s', '1m', '2m')).toEqual([Number.NaN]);
  });

  it('last, first and present keep the series labels', () => {
    const load = ['m{a="x"} 1 2 3'];
    expect(results(overRange('last_over_time', load, '10s', '1m', '2m'))).toEqual([
      '{__name__="m", a="x"} 3',
    ]);
    expect(results(overRange('first_over_time', load, '10s', '1m', '2m'))).toEqual([
      '{__name__="m", a="x"} 1',
    ]);
    expect(results(overRange('present_over_time', load, '10s', '1m', '2m'))).toEqual([
      '{__name__="m", a="x"} 1',
    ]);
  });

  it('quantile_over_time interpolates between ranks, and is ±Inf for q out of [0, 1]', () => {
    const load = ['m 0 1 2 3 4 5 6 7 8 9 10'];
    const q = (v: number) =>
      overRange('quantile_over_time', load, '10s', '100s', '100s', [scalar(v)]).map((s) => s.v);
    expect(q(0.5)).toEqual([5.5]);
    expect(q(0.95)[0]).toBeCloseTo(9.55, 12);
    expect(q(-1)).toEqual([Number.NEGATIVE_INFINITY]);
    expect(q(2)).toEqual([Number.POSITIVE_INFINITY]);
    expect(q(Number.NaN)).toEqual([Number.NaN]);
  });
});

describe('changes and resets', () => {
  const load = [
    'r{path="/foo"} 1 2 3 0 1 0 0 1 2 0',
    'r{path="/bar"} 1 2 3 4 5 1 2 3 4 5',
    'r{path="/biz"} 0 0 0 0 0 1 1 1 1 1',
  ];

  it('resets counts drops', () => {
    expect(results(overRange('resets', load, '5m', '50m', '50m'))).toEqual([
      '{__name__="r", path="/bar"} 1',
      '{__name__="r", path="/biz"} 0',
      '{__name__="r", path="/foo"} 3',
    ]);
    // The ten values lie at 0m..45m: (45m, 50m] is empty, (40m, 50m] holds one point.
    expect(overRange('resets', load, '5m', '50m', '5m')).toEqual([]);
    expect(overRange('resets', load, '5m', '50m', '10m').map((s) => s.v)).toEqual([0, 0, 0]);
  });

  it('changes counts value changes, NaN to NaN being none', () => {
    expect(results(overRange('changes', load, '5m', '50m', '50m'))).toEqual([
      '{__name__="r", path="/bar"} 8',
      '{__name__="r", path="/biz"} 1',
      '{__name__="r", path="/foo"} 7',
    ]);
    expect(values('changes', ['x NaN NaN NaN'], '5m', '15m', '20m')).toEqual([0]);
    expect(values('changes', ['x 0 NaN 0'], '5m', '15m', '20m')).toEqual([2]);
  });
});

describe('deriv and predict_linear', () => {
  const load = ['c 0+10x4 0+10x5'];

  it('fit a least-squares line', () => {
    expect(values('deriv', ['c 0+80x10'], '5m', '50m', '50m')[0]).toBeCloseTo(0.26666666666666666, 15);
    expect(values('deriv', load, '5m', '50m', '100m')).toEqual([0.010606060606060607]);
    const predict = call('predict_linear', [matrix(load, '5m', '50m', '50m'), scalar(3600)], '50m', {
      range: '50m',
    });
    expect(predict.map((s) => s.v)).toEqual([70]);
  });

  it('are NaN when a value is infinite, and need two points', () => {
    expect(values('deriv', ['c -Inf 0+80x10 Inf'], '5m', '100m', '100m')).toEqual([Number.NaN]);
    expect(values('deriv', ['c 1'], '5m', '0m', '1m')).toEqual([]);
  });
});
