const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)(inf|infinity)$/i;

/**
 * Go's strconv.ParseFloat on what `le` labels hold (decimals, Inf, NaN, any case); undefined where Go
 * fails, a value out of float64's range (`1e400`) included.
 */
export function parseGoFloat(text: string): number | undefined {
  if (DECIMAL.test(text)) {
    const v = Number(text);
    return Number.isFinite(v) ? v : undefined;
  }
  const inf = INFINITY.exec(text);
  if (inf) return inf[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  return undefined;
}
