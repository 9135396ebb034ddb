/**
 * Case folding as RE2 does it for `(?i)`: a letter matches its other cases and the rest of its Unicode
 * simple-folding orbit (`k`, `K` and the Kelvin sign `\u212A`).
 */

/** Case-folding orbits beyond toLowerCase/toUpperCase (Unicode's simple folding, as RE2 uses it). */
const EXTRA_ORBITS = [
  'kK\u212A',
  'sS\u017F',
  '\u00E5\u00C5\u212B',
  '\u00B5\u03BC\u039C',
  '\u03C3\u03C2\u03A3',
  '\u03B2\u03D0\u0392',
  '\u03B8\u03D1\u0398\u03F4',
  '\u03C6\u03D5\u03A6',
  '\u03C0\u03D6\u03A0',
  '\u03BA\u03F0\u039A',
  '\u03C1\u03F1\u03A1',
  '\u03B5\u03F5\u0395',
  '\u03B9\u0345\u0399\u1FBE',
  '\u00DF\u1E9E',
  '\u03C9\u03A9\u2126',
];

/** The code points RE2's case folding matches for `cp`: itself, its other cases, and their orbit. */
export function caseVariants(cp: number): number[] {
  const ch = String.fromCodePoint(cp);
  const variants = new Set([cp]);
  for (const other of [ch.toLowerCase(), ch.toUpperCase()])
    if ([...other].length === 1) variants.add(other.codePointAt(0) as number);
  for (const orbit of EXTRA_ORBITS)
    if ([...orbit].some((c) => variants.has(c.codePointAt(0) as number)))
      for (const c of orbit) variants.add(c.codePointAt(0) as number);
  return [...variants];
}

/** Class ranges longer than this are not folded one code point at a time (they are refused). */
export const MAX_FOLDED_RANGE = 1024;

/** Ranges with every member's case variants added, for a class under (?i); undefined for too long a range. */
export function foldRanges(ranges: readonly [number, number][]): [number, number][] | undefined {
  const out = [...ranges];
  for (const [lo, hi] of ranges) {
    if (hi - lo > MAX_FOLDED_RANGE) return undefined;
    for (let cp = lo; cp <= hi; cp++) for (const v of caseVariants(cp)) if (v !== cp) out.push([v, v]);
  }
  return out;
}
