/** PromQL's literals as Prometheus's lexer reads them: numbers, durations and Go-quoted strings. */

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

/**
 * A number token: Go's ParseInt with base 0 first (hex, octal `0o17` and leading-zero `017`, binary,
 * underscores), then ParseFloat (decimals, exponents, Inf, NaN); a duration reads as its seconds.
 */
export function parseNumber(text: string): number | undefined {
  const duration = parseDurationMs(text);
  if (duration !== undefined) return duration / 1000;
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Number.POSITIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  const digits = text.replace(/(?<=[0-9a-fA-F])_(?=[0-9a-fA-F])/g, '');
  if (/^0[xX][0-9a-fA-F]+$/.test(digits)) return Number.parseInt(digits.slice(2), 16);
  if (/^0[oO]?[0-7]+$/.test(digits)) return Number.parseInt(digits.replace(/^0[oO]?/, ''), 8);
  if (/^0[bB][01]+$/.test(digits)) return Number.parseInt(digits.slice(2), 2);
  if (/^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(digits)) return Number(digits);
  return undefined;
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
