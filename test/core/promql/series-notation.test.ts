import { describe, expect, it } from 'vitest';
import { PromqlParseError } from '../../../core/promql/index.js';
import { parseSeriesDescription, seriesPoints } from '../../../core/promql/series-notation.js';
import { isStaleNaN } from '../../../core/promql/stale.js';

const values = (text: string) => parseSeriesDescription(`m ${text}`).values;

describe('series notation', () => {
  it('reads the metric name and labels, quoted names included', () => {
    expect(parseSeriesDescription('http_requests_total{job="api", "service.name"="a b"} 1').labels).toEqual({
      __name__: 'http_requests_total',
      job: 'api',
      'service.name': 'a b',
    });
    expect(parseSeriesDescription('{"my.metric", a="1"} 1').labels).toEqual({
      __name__: 'my.metric',
      a: '1',
    });
    expect(parseSeriesDescription('{} 1').labels).toEqual({});
  });

  it('expands a+bxn, a-bxn and axn to n+1 values', () => {
    expect(values('0+10x3')).toEqual([0, 10, 20, 30]);
    expect(values('1-2x2')).toEqual([1, -1, -3]);
    expect(values('-1-1x2')).toEqual([-1, -2, -3]);
    expect(values('5x2')).toEqual([5, 5, 5]);
    expect(values('1e3+0.5x1')).toEqual([1000, 1000.5]);
    expect(values('0x2')).toEqual([0, 0, 0]);
  });

  it('omits a step with _ and n steps with _xn', () => {
    expect(values('1 _ 2 _x3 3')).toEqual([1, undefined, 2, undefined, undefined, undefined, 3]);
  });

  it('reads Inf, NaN and stale markers', () => {
    const [inf, negInf, nan, stale] = values('Inf -Inf NaN stale');
    expect(inf).toBe(Number.POSITIVE_INFINITY);
    expect(negInf).toBe(Number.NEGATIVE_INFINITY);
    expect(nan).toBeNaN();
    expect(isStaleNaN(nan as number)).toBe(false);
    expect(isStaleNaN(stale as number)).toBe(true);
  });

  it('places the values one step apart from the start, leaving omitted steps out', () => {
    const d = parseSeriesDescription('up{job="a"} 1 _ 3');
    expect(seriesPoints(d, 60_000, 15_000)).toEqual([
      { t: 60_000, v: 1 },
      { t: 90_000, v: 3 },
    ]);
  });

  it('refuses native histogram values and malformed items with their position', () => {
    const hist = () => parseSeriesDescription('h {{schema:0 sum:1 count:1}}');
    expect(hist).toThrow(PromqlParseError);
    expect(hist).toThrow(
      expect.objectContaining({ code: 'TRB_PROMQL_UNSUPPORTED', position: { start: 2, end: 3 } }),
    );
    expect(() => parseSeriesDescription('m 1+2')).toThrow(/expected "x<count>" after the increment/);
    expect(() => parseSeriesDescription('m 1x')).toThrow(/expected a repetition count after "x"/);
    expect(() => parseSeriesDescription('m{a="1" 1')).toThrow(/expected "," or "}" in label set/);
    expect(() => parseSeriesDescription('m abc')).toThrow(
      expect.objectContaining({ code: 'TRB_PROMQL_PARSE', position: { start: 2, end: 3 } }),
    );
  });
});
