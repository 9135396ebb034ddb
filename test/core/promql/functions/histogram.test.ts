import { describe, expect, it } from 'vitest';
import { call, results, scalar, vector } from './helpers.js';

// Expected values are Prometheus v3.14.0's, from promql/promqltest/testdata/histograms.test (at 50m,
// where each bucket holds 10 times its step).
const testhistogram = [
  'testhistogram_bucket{le="0.1", start="positive"} 50',
  'testhistogram_bucket{le=".2", start="positive"} 70',
  'testhistogram_bucket{le="1e0", start="positive"} 110',
  'testhistogram_bucket{le="+Inf", start="positive"} 120',
  'testhistogram_bucket{le="-.2", start="negative"} 10',
  'testhistogram_bucket{le="-0.1", start="negative"} 20',
  'testhistogram_bucket{le="0.3", start="negative"} 20',
  'testhistogram_bucket{le="+Inf", start="negative"} 30',
];
const testhistogram3 = [
  'testhistogram3_bucket{le="0", start="positive"} 0',
  'testhistogram3_bucket{le="0.1", start="positive"} 50',
  'testhistogram3_bucket{le=".2", start="positive"} 70',
  'testhistogram3_bucket{le="1e0", start="positive"} 110',
  'testhistogram3_bucket{le="+Inf", start="positive"} 110',
  'testhistogram3_bucket{le="-.25", start="negative"} 0',
  'testhistogram3_bucket{le="-.2", start="negative"} 10',
  'testhistogram3_bucket{le="-0.1", start="negative"} 20',
  'testhistogram3_bucket{le="0.3", start="negative"} 20',
  'testhistogram3_bucket{le="+Inf", start="negative"} 20',
];
const quantile = (q: number, lines: string[]) =>
  results(call('histogram_quantile', [scalar(q), vector(lines)]));

describe('histogram_quantile on classic buckets', () => {
  it.each([
    [0, '0', '-0.2'],
    [0.2, '0.048', '-0.2'],
    [0.5, '0.15', '-0.15'],
    [0.8, '0.72', '0.3'],
    [1, '1', '0.3'],
  ])(
    'q=%d: interpolates in the bucket, from 0 for a first positive bound; the highest bucket gives the second highest bound',
    (q, positive, negative) => {
      expect(quantile(q, testhistogram)).toEqual([
        `{__name__="testhistogram_bucket", start="negative"} ${negative}`,
        `{__name__="testhistogram_bucket", start="positive"} ${positive}`,
      ]);
    },
  );

  it.each([
    [0, '0', '-0.25'],
    [0.25, '0.055', '-0.225'],
    [0.5, '0.125', '-0.2'],
    [0.75, '0.45', '-0.15'],
    [1, '1', '-0.1'],
  ])('q=%d with an empty +Inf bucket', (q, positive, negative) => {
    expect(quantile(q, testhistogram3)).toEqual([
      `{__name__="testhistogram3_bucket", start="negative"} ${negative}`,
      `{__name__="testhistogram3_bucket", start="positive"} ${positive}`,
    ]);
  });

  it('is -Inf below 0, +Inf above 1 and NaN for NaN', () => {
    expect(quantile(-0.1, testhistogram).map((r) => r.split(' ').pop())).toEqual(['-Infinity', '-Infinity']);
    expect(quantile(1.01, testhistogram).map((r) => r.split(' ').pop())).toEqual(['Infinity', 'Infinity']);
    expect(quantile(Number.NaN, testhistogram).map((r) => r.split(' ').pop())).toEqual(['NaN', 'NaN']);
    expect(call('histogram_quantile', [scalar(Number.NaN), vector([])])).toEqual([]);
    // q=0 with an empty first bucket: Prometheus interpolates 0/0 there.
    const emptyFirst = vector(['h_bucket{le="0.001"} 0', 'h_bucket{le="+Inf"} 1']);
    expect(call('histogram_quantile', [scalar(0), emptyFirst])[0]?.v).toBeNaN();
  });

  it('forces non-monotonic buckets up to their envelope', () => {
    const nonmonotonic = ['0.1 20', '1 10', '10 50', '100 40', '1000 90', '+Inf 80'].map((b) => {
      const [le, v] = b.split(' ');
      return `nonmonotonic_bucket{le="${le}"} ${v}`;
    });
    expect(call('histogram_quantile', [scalar(0.01), vector(nonmonotonic)]).map((s) => s.v)).toEqual([
      0.0045,
    ]);
    expect(call('histogram_quantile', [scalar(0.5), vector(nonmonotonic)]).map((s) => s.v)).toEqual([8.5]);
    expect(call('histogram_quantile', [scalar(0.99), vector(nonmonotonic)])[0]?.v).toBeCloseTo(979.75, 9);
  });

  it('merges buckets whose le is written differently, and is NaN without observations or a +Inf bucket', () => {
    const mixed = [
      'b{instance="ins1", le="0.1"} 1',
      'b{instance="ins1", le="0.2"} 1',
      'b{instance="ins1", le="2e-1"} 1',
      'b{instance="ins1", le="2.0e-1"} 1',
      'b{instance="ins1", le="+Inf"} 4',
      'b{instance="ins2", le="+inf"} 0',
      'b{instance="ins2", le="+Inf"} 0',
      'b{instance="ins3", le="1"} 3',
      'b{instance="ins4", le="x"} 3',
    ];
    expect(quantile(0.5, mixed)).toEqual([
      '{__name__="b", instance="ins1"} 0.15',
      '{__name__="b", instance="ins2"} NaN',
      '{__name__="b", instance="ins3"} NaN',
    ]);
  });
});

describe('histogram_fraction on classic buckets', () => {
  const testhistogram2 = ['0 0', '2 10', '4 20', '6 30', '+Inf 30'].map((b) => {
    const [le, v] = b.split(' ');
    return `h_bucket{le="${le}"} ${v}`;
  });
  const fraction = (lower: number, upper: number, lines: string[]) =>
    call('histogram_fraction', [scalar(lower), scalar(upper), vector(lines)]).map((s) => s.v);

  it('interpolates linearly inside buckets', () => {
    expect(fraction(0, 4, testhistogram2)).toEqual([0.6666666666666666]);
    expect(fraction(0, 6, testhistogram2)).toEqual([1]);
    expect(fraction(0, 3.5, testhistogram2)).toEqual([0.5833333333333334]);
    expect(results(call('histogram_fraction', [scalar(0), scalar(0.2), vector(testhistogram3)]))).toEqual([
      '{__name__="testhistogram3_bucket", start="negative"} 0',
      '{__name__="testhistogram3_bucket", start="positive"} 0.636363636364',
    ]);
  });

  it('is 0 for an empty interval and NaN for a NaN bound', () => {
    expect(fraction(3, 2, testhistogram2)).toEqual([0]);
    expect(fraction(Number.NaN, 1, testhistogram2)).toEqual([Number.NaN]);
    expect(fraction(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, testhistogram2)).toEqual([1]);
  });
});
