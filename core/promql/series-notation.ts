/**
 * The expanding notation of Prometheus's test series (promqltest's `load` and promtool's
 * `input_series`): `metric{a="b"} 1+2x3 _ stale _x2 -1-1x2 Inf NaN`. `a+bxn` is n+1 values from a,
 * stepping by b; `axn` repeats a n+1 times; `_` omits one step and `_xn` omits n steps; `stale`
 * writes a staleness marker. Native histogram values (`{{...}}`) are refused.
 */
import { type PromqlErrorCode, PromqlParseError } from './parse/error.js';
import { parseNumber, unquoteString } from './parse/literals.js';
import { STALE_NAN } from './stale.js';
import type { Labels, Point } from './types.js';

export interface SeriesDescription {
  readonly labels: Labels;
  /** One entry per step from the start; undefined where the step is omitted (`_`). */
  readonly values: readonly (number | undefined)[];
}

export function parseSeriesDescription(text: string): SeriesDescription {
  const reader = new Reader(text);
  const labels = reader.metric();
  const values = markerSafeArray();
  while (reader.skipSpace()) for (const v of reader.item()) values.push(v);
  return { labels, values };
}

/** The points of a description written from `startMs`, one value per `stepMs`, omitted steps left out. */
export function seriesPoints(description: SeriesDescription, startMs: number, stepMs: number): Point[] {
  const points: Point[] = [];
  description.values.forEach((v, i) => {
    if (v !== undefined) points.push({ t: startMs + i * stepMs, v });
  });
  return points;
}

/**
 * An empty array that keeps a staleness marker's NaN bits. V8 turns an array of numbers into a double
 * array (per allocation site, so after earlier descriptions too), and a double array stores every NaN
 * as the canonical one: `stale` became a plain NaN sample. An array that has held `undefined` stays
 * generic, holding each number as it is.
 */
function markerSafeArray(): (number | undefined)[] {
  const values: (number | undefined)[] = [undefined];
  values.length = 0;
  return values;
}

class Reader {
  private pos = 0;
  constructor(private readonly text: string) {}

  private fail(detail: string, start = this.pos, code: PromqlErrorCode = 'TRB_PROMQL_PARSE'): never {
    const end = Math.min(this.text.length, Math.max(start + 1, this.pos));
    throw new PromqlParseError(code, detail, { start, end }, this.text);
  }

  skipSpace(): boolean {
    const start = this.pos;
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos++;
    if (this.pos >= this.text.length) return false;
    if (this.pos === start) this.fail(`unexpected ${JSON.stringify(this.text[this.pos])} in series values`);
    return true;
  }

  private match(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  metric(): Labels {
    this.match(/\s*/y);
    const labels: Record<string, string> = {};
    const name = this.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/y);
    if (name !== undefined) labels.__name__ = name;
    if (this.text[this.pos] === '{' && this.text[this.pos + 1] !== '{') this.labelSet(labels);
    if (name === undefined && Object.keys(labels).length === 0 && this.text[this.pos - 1] !== '}')
      this.fail('expected a metric name or a label set at the start of a series description');
    return labels;
  }

  private labelSet(labels: Record<string, string>): void {
    this.pos++;
    for (;;) {
      this.match(/\s*/y);
      if (this.text[this.pos] === '}') break;
      const start = this.pos;
      const name = this.match(/[a-zA-Z_][a-zA-Z0-9_]*/y) ?? this.quoted();
      this.match(/\s*/y);
      if (this.text[this.pos] === '=') {
        this.pos++;
        this.match(/\s*/y);
        labels[name] = this.quoted();
      } else if (this.text[start] === '"') labels.__name__ = name;
      else this.fail(`expected "=" after label name ${JSON.stringify(name)}`);
      this.match(/\s*/y);
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') this.fail('expected "," or "}" in label set');
    }
    this.pos++;
  }

  private quoted(): string {
    const start = this.pos;
    const literal = this.match(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`/y);
    if (literal === undefined) return this.fail('expected a quoted string');
    try {
      return unquoteString(literal);
    } catch (err) {
      return this.fail(`error unquoting string ${JSON.stringify(literal)}: ${(err as Error).message}`, start);
    }
  }

  /** One space-separated item: a value, `_`, `_xn`, `axn` or `a+bxn`. */
  item(): (number | undefined)[] {
    const start = this.pos;
    if (this.text.startsWith('{{', this.pos))
      this.fail('native histogram series values are not supported', start, 'TRB_PROMQL_UNSUPPORTED');
    if (this.match(/_/y) !== undefined) {
      const times = this.times();
      return Array.from({ length: times ?? 1 }, () => undefined);
    }
    const first = this.value();
    const stepText = this.match(/[+-](?:[0-9.][0-9_.]*(?:[eE][+-]?\d+)?|[iI][nN][fF]|[nN][aA][nN])/y);
    const times = this.times();
    if (stepText !== undefined && times === undefined)
      this.fail('expected "x<count>" after the increment', start);
    const out = markerSafeArray();
    if (times === undefined) {
      out.push(first);
      return out;
    }
    const step = stepText === undefined ? 0 : this.number(stepText, start);
    let v = first;
    for (let i = 0; i <= times; i++) {
      out.push(v);
      v += step;
    }
    return out;
  }

  private times(): number | undefined {
    if (this.match(/x/y) === undefined) return undefined;
    const count = this.match(/\d+/y);
    if (count === undefined) return this.fail('expected a repetition count after "x"');
    return Number(count);
  }

  private value(): number {
    const start = this.pos;
    if (this.match(/stale(?![\w])/y) !== undefined) return STALE_NAN;
    // No hexadecimal: `0x10` is 0 ten times more (Prometheus's lexer reads no hex in series either).
    const text = this.match(/[+-]?(?:[iI][nN][fF]|[nN][aA][nN]|(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/y);
    if (text === undefined) return this.fail('expected a number, "_" or "stale" in series values');
    return this.number(text, start);
  }

  private number(text: string, start: number): number {
    const sign = text[0] === '-' ? -1 : 1;
    const n = parseNumber(text.replace(/^[+-]/, ''));
    if (n === undefined) return this.fail(`error parsing number: ${text}`, start);
    return sign * n;
  }
}
