// Go's fmt number formatting (%v, %g, %e, %f, %d), which template output and printf follow exactly.

/** Go's `%v`/`%g` of a float64: shortest digits, exponent form when exp < -4 or exp >= 6 (or the precision). */
export function formatG(v: number, precision = -1): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (precision === 0) precision = 1;
  const shortest = precision < 0;
  const [mantissa, expText] = (shortest ? v.toExponential() : v.toExponential(precision - 1)).split('e');
  const exp = Number(expText);
  let digits = (mantissa as string).replace('-', '').replace('.', '');
  const negative = v < 0 || Object.is(v, -0);
  if (!shortest) digits = digits.replace(/0+$/, '') || '0';
  const eprec = shortest ? 6 : precision;
  // Go: eprec = digits when the digits cover the integer part (%g never pads with zeros).
  const limit = !shortest && eprec > digits.length && digits.length >= exp + 1 ? digits.length : eprec;
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= limit) {
    const frac = digits.slice(1);
    const e = Math.abs(exp);
    return `${sign}${digits[0]}${frac ? `.${frac}` : ''}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${int}${frac ? `.${frac}` : ''}`;
}

/** Go's `%e` with a precision (default 6). */
export function formatE(v: number, precision = 6): string {
  if (!Number.isFinite(v)) return formatG(v);
  const [m, e] = v.toExponential(precision).split('e');
  const exp = Number(e);
  const abs = Math.abs(exp);
  return `${m}e${exp < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
}

/** Go's `%f` with a precision (default 6); toFixed stops at 1e21, Go does not. */
export function formatF(v: number, precision = 6): string {
  if (!Number.isFinite(v)) return formatG(v);
  if (Math.abs(v) < 1e21) return v.toFixed(precision);
  const int = BigInt(Math.trunc(v)).toString();
  return precision > 0 ? `${int}.${'0'.repeat(precision)}` : int;
}

/** Go's strconv.ParseFloat of a decimal text (what humanize and friends do with strings). */
export function parseGoFloat(text: string): number {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
}
