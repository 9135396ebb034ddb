/** PromQL's literals as Prometheus's lexer reads them: numbers, durations and Go-quoted strings. */
import { goFloatError, parseGoFloat } from '../functions/go-float.js';

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** `1h30m` -> 5_400_000; undefined when `text` is not a duration (a bare number is not). */
export function parseDurationMs(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === '') return undefined;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * (UNIT_MS[i] ?? 0);
  }
  return ms;
}

/** Go's int64: ParseInt fails past it, and Prometheus then tries ParseFloat. */
const MAX_INT64 = 2n ** 63n - 1n;

/**
 * A number token as Prometheus reads it: Go's ParseInt with base 0 first (hex, octal `0o17` and
 * leading-zero `017`, binary, underscores), then ParseFloat (decimals, exponents, Inf, NaN); a
 * duration reads as its seconds. Undefined where Go fails (`1e400`, hex past int64).
 */
export function parseNumber(text: string): number | undefined {
  const duration = parseDurationMs(text);
  if (duration !== undefined) return duration / 1000;
  // Go allows `_` between digits, and between a base prefix and a digit (`0x_1F`).
  const digits = text.replace(/(?<=[0-9a-fA-F]|^0[xX])_(?=[0-9a-fA-F])/g, '');
  return parseBasePrefixed(digits) ?? parseGoFloat(digits);
}

const BASE_PREFIXED = /^0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+|[0-7]+)$/;

/** ParseInt's hex, octal and binary forms, within int64 (a decimal integer reads the same as a float). */
function parseBasePrefixed(digits: string): number | undefined {
  if (!BASE_PREFIXED.test(digits)) return undefined;
  // BigInt reads 0x, 0o and 0b; Go's leading-zero octal is 0o.
  const value = BigInt(/^0[0-7]/.test(digits) ? `0o${digits.slice(1)}` : digits.toLowerCase());
  return value <= MAX_INT64 ? Number(value) : undefined;
}

const HEX_DIGIT = /[0-9a-fA-F]/;
/** What may not follow an exponent's `e` or an `_` in a number, to Prometheus 3.14's lexer. */
const AFTER_E_OR_UNDERSCORE = /^[._eE]?$/;

/**
 * Prometheus 3.14's lexer on the hex literal `rest` starts with: it takes the first digit alone, then
 * reads an `e` that comes next (`0x1e`, `0xee`) or after an `_` as an exponent, so it refuses
 * `0x1e` at the end of the expression, `0x1ee`, `0x1_e`, and reads `0x1e+1` as one number that
 * ParseFloat refuses. Its error, or undefined where it reads the literal as Go's ParseInt does.
 */
export function hexLiteralError(rest: string): string | undefined {
  const bad = (end: number) => `bad number or duration syntax: ${JSON.stringify(rest.slice(0, end))}`;
  let i = rest[2] === '_' ? 3 : 2;
  if (HEX_DIGIT.test(rest[i] ?? '')) i++;
  let exponent = false;
  for (;;) {
    const c = rest[i] ?? '';
    if (c === '.') return bad(i + 1);
    if (c === 'e' || c === 'E' || c === '_') {
      if (c !== '_' && exponent) return bad(i + 1);
      exponent ||= c !== '_';
      i++;
      if (c !== '_' && (rest[i] === '+' || rest[i] === '-')) i++;
      if (AFTER_E_OR_UNDERSCORE.test(rest[i] ?? '')) return bad(Math.min(i + 1, rest.length));
    } else if (HEX_DIGIT.test(c)) {
      while (HEX_DIGIT.test(rest[i] ?? '')) i++;
    } else break;
  }
  const token = rest.slice(0, i);
  return /[+-]/.test(token) ? `error parsing number: ${goFloatError(token)}` : undefined;
}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/**
 * Unquotes a PromQL string literal as Go's strconv.Unquote does: `\xNN` and octal `\NNN` are bytes,
 * `\uNNNN` and `\UNNNNNNNN` code points, the other quote kind may not be escaped, raw strings keep all.
 * Throws an Error with the reason on an invalid escape.
 */
export function unquoteString(literal: string): string {
  const quote = literal[0];
  if (literal.length < 2 || literal[literal.length - 1] !== quote)
    throw new Error('unterminated quoted string');
  const body = literal.slice(1, -1);
  if (quote === '`') return body;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      const cp = body.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      bytes.push(...encoder.encode(String.fromCodePoint(cp)));
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new Error('invalid syntax');
    if (e in SIMPLE_ESCAPES) bytes.push(SIMPLE_ESCAPES[e] as number);
    else if (e === quote) bytes.push(e.charCodeAt(0));
    else if (e === 'x') {
      bytes.push(readHex(body, i + 1, 2));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const cp = readHex(body, i + 1, n);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) throw new Error('invalid syntax');
      bytes.push(...encoder.encode(String.fromCodePoint(cp)));
      i += n;
    } else if (e >= '0' && e <= '7') {
      const octal = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(octal) || Number.parseInt(octal, 8) > 255) throw new Error('invalid syntax');
      bytes.push(Number.parseInt(octal, 8));
      i += 2;
    } else throw new Error('invalid syntax');
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function readHex(text: string, from: number, count: number): number {
  const digits = text.slice(from, from + count);
  if (!new RegExp(`^[0-9a-fA-F]{${count}}$`).test(digits)) throw new Error('invalid syntax');
  return Number.parseInt(digits, 16);
}
