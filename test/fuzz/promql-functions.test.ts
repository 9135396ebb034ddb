// Properties of the PromQL functions and the RE2 translation over generated inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../core/promql/functions/index.js';
import { compileRe2, Re2Error } from '../../core/promql/re2.js';
import type { Argument, Point } from '../../core/promql/types.js';
import { fuzzSettings, fuzzTimeout } from './settings.js';

const RUNS = 300;

/** Every RE2 metacharacter escaped, as Go's regexp.QuoteMeta does. */
const quoteMeta = (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

/** Patterns from RE2's syntax pieces, valid or not. */
const pattern = fc
  .array(
    fc.constantFrom(
      'a',
      'B',
      '.',
      '*',
      '+',
      '?',
      '|',
      '(',
      ')',
      '[',
      ']',
      '^',
      '$',
      '{',
      '}',
      '2',
      ',',
      '-',
      '\\',
      'd',
      's',
      'S',
      'p',
      'L',
      'x',
      'Q',
      'E',
      '(?i)',
      '(?i:',
      '(?P<n>',
      '(?:',
      '(?-i)',
      '[:alpha:]',
      'é',
      '😀',
      '\n',
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

function counterArg(values: readonly number[], stepMs: number): Argument {
  const points: Point[] = values.map((v, i) => ({ t: (i + 1) * stepMs, v }));
  return { type: 'matrix', series: [{ labels: { __name__: 'c_total' }, points }] };
}

describe('PromQL function properties', () => {
  it(
    'compileRe2 compiles or says why (Re2Error), for any pattern',
    () => {
      fc.assert(
        fc.property(pattern, (re) => {
          try {
            expect(compileRe2(re)).toBeInstanceOf(RegExp);
          } catch (err) {
            expect(err).toBeInstanceOf(Re2Error);
          }
        }),
        fuzzSettings(RUNS),
      );
    },
    fuzzTimeout(RUNS),
  );

  it(
    'a quoted literal matches itself and nothing longer, whatever its characters',
    () => {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (text) => {
          const re = compileRe2(quoteMeta(text));
          expect(re.test(text)).toBe(true);
          expect(re.test(`${text}x`)).toBe(false);
        }),
        fuzzSettings(RUNS),
      );
    },
    fuzzTimeout(RUNS),
  );

  it(
    'increase of a counter is never negative, and rate is increase over the range',
    () => {
      const counter = fc.array(fc.nat({ max: 1_000_000 }), { minLength: 2, maxLength: 30 });
      fc.assert(
        fc.property(counter, fc.integer({ min: 1, max: 120 }), (values, stepSeconds) => {
          const stepMs = stepSeconds * 1000;
          const rangeEnd = (values.length + 1) * stepMs;
          const ctx = { t: rangeEnd, rangeStart: 0, rangeEnd, args: [] };
          const increase = FUNCTIONS.get('increase')?.call([counterArg(values, stepMs)], ctx)[0]?.v as number;
          const rate = FUNCTIONS.get('rate')?.call([counterArg(values, stepMs)], ctx)[0]?.v as number;
          expect(increase).toBeGreaterThanOrEqual(0);
          expect(rate * (rangeEnd / 1000)).toBeCloseTo(increase, 6);
        }),
        fuzzSettings(RUNS),
      );
    },
    fuzzTimeout(RUNS),
  );

  // q > 0: with q = 0 and an empty first bucket Prometheus interpolates 0/0 into NaN (so do we).
  it(
    'histogram_quantile stays within the finite bucket bounds of a well-formed histogram',
    () => {
      const bounds = fc.uniqueArray(fc.double({ min: 0.001, max: 1000, noNaN: true }), {
        minLength: 1,
        maxLength: 8,
      });
      fc.assert(
        fc.property(
          bounds,
          fc.array(fc.nat({ max: 1000 }), { minLength: 9, maxLength: 9 }),
          fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }),
          (les, counts, q) => {
            const sorted = [...les].sort((a, b) => a - b);
            let cumulative = 0;
            const samples = [...sorted, Number.POSITIVE_INFINITY].map((le, i) => {
              cumulative += counts[i] as number;
              return { labels: { __name__: 'h_bucket', le: String(le) }, t: 0, v: cumulative };
            });
            const [result] =
              FUNCTIONS.get('histogram_quantile')?.call(
                [
                  { type: 'scalar', v: q },
                  { type: 'vector', samples },
                ],
                { t: 0, rangeStart: 0, rangeEnd: 0, args: [] },
              ) ?? [];
            if (cumulative === 0) expect(result?.v).toBeNaN();
            else {
              expect(result?.v).toBeGreaterThanOrEqual(0);
              expect(result?.v).toBeLessThanOrEqual(sorted[sorted.length - 1] as number);
            }
          },
        ),
        fuzzSettings(RUNS),
      );
    },
    fuzzTimeout(RUNS),
  );
});
