import { describe, expect, it } from 'vitest';
import { evaluateInstant, MemoryStorage, parseExpr, type Value } from '../../../../core/promql/index.js';

const storage = new MemoryStorage();
storage.append({ __name__: 'x', i: 'a' }, 0, 1e21);
storage.append({ __name__: 'x', i: 'b' }, 0, 1e21);
storage.append({ __name__: 'x', i: 'c' }, 0, -0);
storage.append({ __name__: 'x', i: 'd' }, 0, Number.POSITIVE_INFINITY);
storage.append({ __name__: 'x', i: 'e' }, 0, 0.000001);

function scalar(expr: string): number {
  const v: Value = evaluateInstant(parseExpr(expr), storage, 0);
  if (v.type !== 'scalar') throw new Error(`expected a scalar, got ${v.type}`);
  return v.v;
}

describe('operators compute as Go does', () => {
  it('^ is math.Pow: x^0 and 1^y are 1 even for NaN, (-1)^±Inf is 1', () => {
    expect(scalar('NaN ^ 0')).toBe(1);
    expect(scalar('1 ^ NaN')).toBe(1);
    expect(scalar('-1 ^ Inf')).toBe(-1); // unary minus binds looser than ^: -(1^Inf)
    expect(scalar('(-1) ^ Inf')).toBe(1);
    expect(scalar('2 ^ 3 ^ 2')).toBe(512);
  });

  it('% is math.Mod (the sign of the dividend, NaN for a zero divisor), / by zero is ±Inf or NaN', () => {
    expect(scalar('5 % -3')).toBe(2);
    expect(scalar('-5 % 3')).toBe(-2);
    expect(scalar('5 % 0')).toBeNaN();
    expect(scalar('1 / 0')).toBe(Number.POSITIVE_INFINITY);
    expect(scalar('-1 / 0')).toBe(Number.NEGATIVE_INFINITY);
    expect(scalar('0 / 0')).toBeNaN();
    expect(scalar('1 atan2 0')).toBeCloseTo(Math.PI / 2, 15);
  });
});

describe('count_values', () => {
  it('writes each value as Go formats floats: no exponent, -0, +Inf', () => {
    const v = evaluateInstant(parseExpr('count_values("value", x)'), storage, 0);
    if (v.type !== 'vector') throw new Error(`expected a vector, got ${v.type}`);
    const counts = Object.fromEntries(v.samples.map((s) => [s.labels.value, s.v]));
    expect(counts).toEqual({ '1000000000000000000000': 2, '-0': 1, '+Inf': 1, '0.000001': 1 });
  });

  it('refuses an empty label name with Prometheus message', () => {
    expect(() => evaluateInstant(parseExpr('count_values("", x)'), storage, 0)).toThrow(
      'invalid label name ""',
    );
  });
});
