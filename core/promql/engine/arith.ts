import type { ArithmeticOp, BinaryOp, ComparisonOp, SetOp } from '../types.js';

/** Go's math.Pow where it differs from `**`: Pow(x, ±0) = 1, Pow(1, y) = 1, Pow(-1, ±Inf) = 1. */
export function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (x === -1 && (y === Number.POSITIVE_INFINITY || y === Number.NEGATIVE_INFINITY)) return 1;
  return x ** y;
}

/** `%` is Go's math.Mod (the sign of the dividend, NaN for a zero divisor), which JS's `%` already is. */
export function arithmetic(op: ArithmeticOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '^':
      return goPow(a, b);
    case 'atan2':
      return Math.atan2(a, b);
  }
}

export function compare(op: ComparisonOp, a: number, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
  }
}

export function isComparison(op: BinaryOp): op is ComparisonOp {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}

export function isSetOperator(op: BinaryOp): op is SetOp {
  return op === 'and' || op === 'or' || op === 'unless';
}
