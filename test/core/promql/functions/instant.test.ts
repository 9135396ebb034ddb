import { describe, expect, it } from 'vitest';
import { parseExpr } from '../../../../core/promql/index.js';
import { call, matrix, results, scalar, vector } from './helpers.js';

const v = (lines: string[]) => vector(lines);

describe('math', () => {
  const clampInput = v(['c{src="a"} -50', 'c{src="b"} 0', 'c{src="c"} 100']);

  it('clamp, clamp_min and clamp_max bound each value; nothing when max < min', () => {
    expect(call('clamp_max', [clampInput, scalar(75)]).map((s) => s.v)).toEqual([-50, 0, 75]);
    expect(call('clamp_min', [clampInput, scalar(-25)]).map((s) => s.v)).toEqual([-25, 0, 100]);
    expect(call('clamp', [clampInput, scalar(-25), scalar(75)]).map((s) => s.v)).toEqual([-25, 0, 75]);
    expect(call('clamp', [clampInput, scalar(0), scalar(Number.NaN)]).map((s) => s.v)).toEqual([
      NaN,
      NaN,
      NaN,
    ]);
    expect(call('clamp', [clampInput, scalar(5), scalar(-5)])).toEqual([]);
  });

  it('sgn keeps NaN and zero', () => {
    const input = v(['s -Inf', 's Inf', 's NaN', 's -50', 's 0', 's 100']);
    expect(call('sgn', [input]).map((s) => s.v)).toEqual([-1, 1, NaN, -1, 0, 1]);
  });

  it('round goes half up, to the nearest multiple given', () => {
    const input = v(['r 1.5', 'r -1.5', 'r 2.25', 'r 12']);
    expect(call('round', [input]).map((s) => s.v)).toEqual([2, -1, 2, 12]);
    expect(call('round', [input, scalar(0.5)]).map((s) => s.v)).toEqual([1.5, -1.5, 2.5, 12]);
    expect(call('round', [input, scalar(5)]).map((s) => s.v)).toEqual([0, 0, 0, 10]);
  });

  it('log2 and log10 are computed from ln as Go does (bit for bit what Prometheus answers)', () => {
    const input = v(['m 8', 'm 20', 'm 5', 'm 5e-324', 'm 0', 'm -1']);
    expect(call('log2', [input]).map((s) => s.v)).toEqual([
      3,
      4.321928094887363,
      2.321928094887362,
      -1074,
      -Infinity,
      NaN,
    ]);
    // Prometheus (Go's math.Log10) answers these; V8's Math.log10 differs in the last bit.
    expect(call('log10', [v(['m 20', 'm 5'])]).map((s) => s.v)).toEqual([
      1.301029995663981, 0.6989700043360187,
    ]);
  });

  it('keeps labels (the evaluator drops __name__), pi is a scalar', () => {
    expect(results(call('abs', [v(['m{a="1"} -2'])]))).toEqual(['{__name__="m", a="1"} 2']);
    expect(results(call('ln', [v(['m 1'])]))).toEqual(['{__name__="m"} 0']);
    expect(call('pi', [])[0]?.v).toBe(Math.PI);
    expect(call('deg', [v(['m 3.141592653589793'])])[0]?.v).toBe(180);
  });
});

describe('time, timestamp, vector, scalar', () => {
  it('time is the evaluation time in seconds; vector(time()) has no labels', () => {
    expect(call('time', [], '1m')[0]?.v).toBe(60);
    expect(results(call('vector', [scalar(5)], '5s'))).toEqual(['{} 5']);
  });

  it("timestamp is each sample's own time", () => {
    expect(results(call('timestamp', [vector(['metric 1'], 10_000)], '15s'))).toEqual([
      '{__name__="metric"} 10',
    ]);
  });

  it('scalar is the one value, or NaN for none or several', () => {
    expect(call('scalar', [v(['a 3'])])[0]?.v).toBe(3);
    expect(call('scalar', [v([])])[0]?.v).toBeNaN();
    expect(call('scalar', [v(['a 1', 'b 2'])])[0]?.v).toBeNaN();
  });
});

describe('date functions', () => {
  const at = (f: string, seconds: number) => call(f, [v([`m ${seconds}`])])[0]?.v;

  it('read the value as seconds since the epoch, in UTC', () => {
    expect(at('year', 1136239445)).toBe(2006);
    expect(at('month', 1136239445)).toBe(1);
    expect(at('day_of_month', 1136239445)).toBe(2);
    expect(at('day_of_year', 1136239445)).toBe(2);
    expect(at('day_of_week', 1136239445)).toBe(1);
    expect(at('hour', 1136239445)).toBe(22);
    expect(at('minute', 1136239445)).toBe(4);
    expect(at('year', 1230767999)).toBe(2008);
    expect(at('day_of_year', 1483191420)).toBe(366);
    expect(at('days_in_month', 1454284800)).toBe(29);
    expect(at('days_in_month', 1485907200)).toBe(28);
  });

  it('default to the evaluation time, with empty labels', () => {
    expect(results(call('day_of_week', [], '0s'))).toEqual(['{} 4']);
    expect(results(call('year', [], '0s'))).toEqual(['{} 1970']);
  });
});

describe('sort', () => {
  const input = v(['h{i="0"} 100', 'h{i="n"} NaN', 'h{i="2"} 300', 'h{i="1"} 200']);

  it('sort and sort_desc put NaN last', () => {
    expect(call('sort', [input]).map((s) => s.labels.i)).toEqual(['0', '1', '2', 'n']);
    expect(call('sort_desc', [input]).map((s) => s.labels.i)).toEqual(['2', '1', '0', 'n']);
  });
});

describe('absent and absent_over_time', () => {
  it('are 1 with the labels of equality matchers when nothing matches', () => {
    const expr = parseExpr('absent(nonexistent{job="testjob", instance="testinstance", method=~".x"})');
    if (expr.kind !== 'call') throw new Error('expected a call');
    expect(results(call('absent', [v([])], '0s', { exprs: expr.args }))).toEqual([
      '{instance="testinstance", job="testjob"} 1',
    ]);
    expect(call('absent', [v(['m 1'])], '0s', { exprs: expr.args })).toEqual([]);
  });

  it('leave out a label matched twice', () => {
    const expr = parseExpr('absent(x{job="a", job="b", foo="bar"})');
    if (expr.kind !== 'call') throw new Error('expected a call');
    expect(results(call('absent', [v([])], '0s', { exprs: expr.args }))).toEqual(['{foo="bar"} 1']);
  });

  it('absent_over_time looks for any point in the window', () => {
    const expr = parseExpr('absent_over_time(x{job="a"}[5m])');
    if (expr.kind !== 'call') throw new Error('expected a call');
    const window = (at: string) =>
      call('absent_over_time', [matrix(['x{job="a"} 1 _ _ _ _ _ _ _'], '1m', at, '5m')], at, {
        range: '5m',
        exprs: expr.args,
      });
    expect(window('4m')).toEqual([]);
    expect(results(window('6m'))).toEqual(['{job="a"} 1']);
  });
});
