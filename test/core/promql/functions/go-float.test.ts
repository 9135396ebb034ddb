import { describe, expect, it } from 'vitest';
import { parseGoFloat } from '../../../../core/promql/functions/go-float.js';

describe('parseGoFloat (an le label as Go reads it)', () => {
  it('reads decimals, Inf and NaN in any case', () => {
    expect(['0.1', '.2', '1e0', '2.0e-1', '-0.1', '+5'].map(parseGoFloat)).toEqual([
      0.1, 0.2, 1, 0.2, -0.1, 5,
    ]);
    expect(['+Inf', 'inf', '-Infinity', 'INF'].map(parseGoFloat)).toEqual([
      Infinity,
      Infinity,
      -Infinity,
      Infinity,
    ]);
    expect(parseGoFloat('NaN')).toBeNaN();
  });

  it('fails where Go does', () => {
    expect(['', ' 1', '1_000', '0x10', 'abc', '1e400', '+NaN'].map(parseGoFloat)).toEqual(
      Array(7).fill(undefined),
    );
  });
});
