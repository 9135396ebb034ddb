import { describe, expect, it } from 'vitest';
import { overRange, results } from './helpers.js';

// Expected values are Prometheus v3.14.0's, from promql/promqltest/testdata/functions.test.
describe('increase', () => {
  const load = [
    'http_requests_total{path="/foo"} 0+10x10',
    'http_requests_total{path="/bar"} 0+18x5 0+18x5',
    'http_requests_total{path="/dings"} 10+10x10',
    'http_requests_total{path="/bumms"} 1+10x10',
  ];

  it('adds what a counter reset hid, and keeps the metric name for the evaluator to drop', () => {
    expect(results(overRange('increase', load, '5m', '50m', '50m'))).toEqual([
      '{__name__="http_requests_total", path="/bar"} 160',
      '{__name__="http_requests_total", path="/bumms"} 100',
      '{__name__="http_requests_total", path="/dings"} 100',
      '{__name__="http_requests_total", path="/foo"} 100',
    ]);
  });

  it('extrapolates to the window start by half an interval, but not below a counter value of zero', () => {
    expect(results(overRange('increase', load, '5m', '50m', '100m'))).toEqual([
      '{__name__="http_requests_total", path="/bar"} 162',
      '{__name__="http_requests_total", path="/bumms"} 101',
      '{__name__="http_requests_total", path="/dings"} 105',
      '{__name__="http_requests_total", path="/foo"} 100',
    ]);
  });

  it('reads a drop as a reset from zero (3 2 counts as 3 0 1 2)', () => {
    expect(results(overRange('increase', ['x 0 1 2 3 2 3 4'], '5m', '30m', '30m'))).toEqual([
      '{__name__="x"} 7',
    ]);
  });
});

describe('rate', () => {
  it('is per second over the range, counter resets included', () => {
    expect(results(overRange('rate', ['c 0+27x4 0+27x5'], '5m', '50m', '50m'))).toEqual([
      '{__name__="c"} 0.08',
    ]);
    expect(results(overRange('rate', ['c 0+80x10'], '5m', '50m', '50m'))).toEqual([
      '{__name__="c"} 0.266666666667',
    ]);
  });

  it('needs two points in the window', () => {
    expect(overRange('rate', ['c 0+10x9 0 10'], '5m', '50m', '5m')).toEqual([]);
    expect(results(overRange('rate', ['c 0+10x9 0 10'], '5m', '50m', '6m'))).toEqual(['{__name__="c"} 0']);
  });

  it('cuts left extrapolation at the zero point, up to half an interval', () => {
    const load = ['0m', '1m', '2m', '3m', '4m', '5m'].map((s, i) => `c{start="${s}"} ${i * 60}+240x10`);
    expect(results(overRange('rate', load, '4m', '10m', '20m'))).toEqual([
      '{__name__="c", start="0m"} 0.5',
      '{__name__="c", start="1m"} 0.55',
      '{__name__="c", start="2m"} 0.6',
      '{__name__="c", start="3m"} 0.6',
      '{__name__="c", start="4m"} 0.6',
      '{__name__="c", start="5m"} 0.6',
    ]);
    expect(results(overRange('rate', load, '4m', '50m', '20m')).every((r) => r.endsWith(' 0.6'))).toBe(true);
  });
});

describe('delta, irate, idelta', () => {
  it('delta is the extrapolated change of a gauge, negative too', () => {
    const load = ['g{path="/foo"} 0 50 100 150 200', 'g{path="/bar"} 200 150 100 50 0'];
    expect(results(overRange('delta', load, '5m', '20m', '20m'))).toEqual([
      '{__name__="g", path="/bar"} -200',
      '{__name__="g", path="/foo"} 200',
    ]);
  });

  it('irate uses the last two points, a drop being a reset', () => {
    const load = ['c{path="/foo"} 0+10x10', 'c{path="/bar"} 0+10x5 0+10x5'];
    expect(results(overRange('irate', load, '5m', '50m', '50m'))).toEqual([
      '{__name__="c", path="/bar"} 0.0333333333333',
      '{__name__="c", path="/foo"} 0.0333333333333',
    ]);
    expect(results(overRange('irate', load, '5m', '30m', '50m'))).toEqual([
      '{__name__="c", path="/bar"} 0',
      '{__name__="c", path="/foo"} 0.0333333333333',
    ]);
  });

  it('irate and idelta carry NaN through, and need two points', () => {
    const nan = ['n 1 NaN NaN 5 11'];
    const at = (f: string, t: string) => overRange(f, nan, '5m', t, '15m1s').map((s) => s.v);
    expect(at('irate', '0m')).toEqual([]);
    expect(at('irate', '5m')).toEqual([Number.NaN]);
    expect(at('irate', '20m')).toEqual([0.02]);
    expect(at('idelta', '20m')).toEqual([6]);
  });

  it('idelta is the last change of a gauge', () => {
    const load = ['g{path="/foo"} 0 50 100 150', 'g{path="/bar"} 0 50 100 50'];
    expect(results(overRange('idelta', load, '5m', '20m', '20m'))).toEqual([
      '{__name__="g", path="/bar"} -50',
      '{__name__="g", path="/foo"} 50',
    ]);
  });
});
