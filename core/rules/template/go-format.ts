// Go's fmt number formatting (%v, %g, %e, %f), which template output and printf follow exactly:
// shortest digits for %v, and decimal rounding of the exact binary value, ties to even, for a
// precision (JavaScript's toFixed and toPrecision round ties up: 2.25 -> "2.3" where Go says "2.2").

interface Decimal {
  /** Significant digits, no leading zeros ("0" for zero). */
  digits: string;
  /** Where the decimal point goes: the value is 0.<digits> * 10^point. */
  point: number;
}

/** The value's decimal digits: shortest when `significant` is undefined, else rounded to that many. */
function decimal(v: number, significant?: number): Decimal {
  const abs = Math.abs(v);
  if (abs === 0) return { digits: '0', point: 1 };
  // 100 significant digits are exact enough to see whether a rounding position is a tie.
  const exact = parseDecimal(significant === undefined ? abs.toExponential() : abs.toPrecision(100));
  return significant === undefined ? exact : roundDigits(exact, significant);
}

/** `1.25e-7`, `1234.5`, `0.00125` as digits and point. */
function parseDecimal(text: string): Decimal {
  const [mantissa = '', exp = '0'] = text.split(/e/i);
  const [int = '', frac = ''] = mantissa.split('.');
  const all = `${int}${frac}`;
  const leading = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(leading).replace(/0+$/, '') || '0';
  return { digits, point: int.length - leading + Number(exp) };
}

/** Rounds to `n` significant digits (n >= 0), ties to even. */
function roundDigits(d: Decimal, n: number): Decimal {
  if (d.digits.length <= n) return d;
  const kept = d.digits.slice(0, n);
  const next = d.digits.charCodeAt(n) - 48;
  const rest = d.digits.slice(n + 1);
  const last = n > 0 ? kept.charCodeAt(n - 1) - 48 : 0;
  const up = next > 5 || (next === 5 && (/[1-9]/.test(rest) || last % 2 === 1));
  if (!up) return { digits: kept.replace(/0+$/, '') || '0', point: d.point };
  // Carry: 999 + 1 = 1000, one more digit before the point.
  const carried = (BigInt(kept || '0') + 1n).toString();
  if (carried.length > kept.length) return { digits: carried.replace(/0+$/, ''), point: d.point + 1 };
  return { digits: carried.replace(/0+$/, ''), point: d.point };
}

const special = (v: number) =>
  Number.isNaN(v)
    ? 'NaN'
    : v === Number.POSITIVE_INFINITY
      ? '+Inf'
      : v === Number.NEGATIVE_INFINITY
        ? '-Inf'
        : undefined;

const signOf = (v: number) => (v < 0 || Object.is(v, -0) ? '-' : '');

/** d.ddde+XX with `fraction` digits after the point (padded with zeros when `pad`). */
function exponentForm(d: Decimal, fraction: number, pad: boolean): string {
  const digits = pad ? d.digits.padEnd(fraction + 1, '0') : d.digits;
  const exp = d.digits === '0' ? 0 : d.point - 1;
  const frac = digits.slice(1, pad ? fraction + 1 : undefined);
  const e = Math.abs(exp);
  return `${digits[0]}${frac ? `.${frac}` : ''}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
}

/** ddd.ddd with exactly `fraction` digits after the point when `pad`, else as many as the digits have. */
function fixedForm(d: Decimal, fraction: number, pad: boolean): string {
  const { digits, point } = d;
  const int = point <= 0 ? '0' : digits.slice(0, point).padEnd(point, '0');
  let frac = point < 0 ? '0'.repeat(-point) + digits : digits.slice(Math.max(point, 0));
  if (digits === '0') frac = '';
  frac = pad ? frac.padEnd(fraction, '0').slice(0, fraction) : frac;
  return frac ? `${int}.${frac}` : int;
}

/** Go's `%v`/`%g`: exponent form when exp < -4 or exp >= the precision (6 for the shortest form). */
export function formatG(v: number, precision = -1): string {
  const s = special(v);
  if (s) return s;
  const shortest = precision < 0;
  const p = precision === 0 ? 1 : precision;
  const d = decimal(v, shortest ? undefined : p);
  const exp = d.digits === '0' ? 0 : d.point - 1;
  let eprec = shortest ? 6 : p;
  // Go: %g never shows more digits than it has when they cover the integer part.
  if (!shortest && eprec > d.digits.length && d.digits.length >= d.point) eprec = d.digits.length;
  const body = exp < -4 || exp >= eprec ? exponentForm(d, 0, false) : fixedForm(d, 0, false);
  return signOf(v) + body;
}

/** Go's `%e` with a precision (default 6). */
export function formatE(v: number, precision = 6): string {
  const s = special(v);
  if (s) return s;
  return signOf(v) + exponentForm(decimal(v, precision + 1), precision, true);
}

/** Go's `%f` with a precision (default 6). */
export function formatF(v: number, precision = 6): string {
  const s = special(v);
  if (s) return s;
  const exact = decimal(v, 100);
  const d = roundDigits(exact, Math.max(0, exact.point + precision));
  // Rounded away entirely (0.004 at %.2f): zero, or one unit of the last place when it rounded up.
  const rounded = exact.point + precision < 0 || d.digits === '' ? { digits: '0', point: 1 } : d;
  return signOf(v) + fixedForm(rounded, precision, true);
}
