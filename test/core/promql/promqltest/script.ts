/**
 * Reads Prometheus's promqltest script format (promql/promqltest/test.go): `load <step>` blocks of
 * series, `clear`, `eval instant at <t> <expr>` and `eval range from <a> to <b> step <s> <expr>` with
 * their `expect ...` lines and expected results.
 */
import { parseDurationMs, unquoteString } from '../../../../core/promql/parse/literals.js';
import { parseSeriesDescription, type SeriesDescription } from '../../../../core/promql/series-notation.js';
import type { Labels } from '../../../../core/promql/types.js';

export interface Load {
  readonly kind: 'load';
  readonly line: number;
  readonly stepMs: number;
  readonly series: readonly SeriesDescription[];
  /** Series written with native histogram values (`{{...}}`, or made by load_with_nhcb): not loaded. */
  readonly histograms: readonly Labels[];
  /** The block gives start timestamps (`metric@st ...` lines). */
  readonly startTimestamps: boolean;
}

export interface Expected {
  readonly labels: Labels;
  /** The values, one per step; undefined where `_` omits one. */
  readonly values: readonly (number | undefined)[];
  /** 1-based position among the expected lines (checked when the result is ordered). */
  readonly pos: number;
}

export interface Eval {
  readonly kind: 'eval';
  readonly line: number;
  readonly expr: string;
  /** An instant query at `start` when `range` is undefined. */
  readonly start: number;
  readonly range: { readonly end: number; readonly step: number } | undefined;
  readonly fail: boolean;
  readonly failMessage: string | undefined;
  readonly failRegex: RegExp | undefined;
  readonly ordered: boolean;
  /** `expect range vector from a to b step s`: an instant query expected to return a matrix. */
  readonly rangeVector: { readonly start: number; readonly end: number; readonly step: number } | undefined;
  readonly expectString: string | undefined;
  readonly expectScalar: number | undefined;
  readonly expected: readonly Expected[];
  /** An expected result holds a native histogram (`{{...}}`). */
  readonly histogramResult: boolean;
  /** `expect warn` / `expect info` lines: Tributary raises no annotations, so these are not checked. */
  readonly annotations: readonly string[];
}

export type Command = Load | { readonly kind: 'clear'; readonly line: number } | Eval;

const LOAD = /^load(?:_(with_nhcb))?\s+(.+?)$/;
const EVAL_INSTANT = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const EVAL_RANGE = /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;
const EXPECT = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$/;
const EXPECT_RANGE = /^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$/;

export function parseScript(text: string): Command[] {
  const lines = text.split('\n').map((l) => {
    const trimmed = l.trim();
    return trimmed.startsWith('#') ? '' : trimmed;
  });
  const commands: Command[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l === '') continue;
    const word = (l.split(/[\t ]+/)[0] as string).toLowerCase();
    if (word === 'clear') commands.push({ kind: 'clear', line: i + 1 });
    else if (word.startsWith('load')) i = parseLoad(lines, i, commands);
    else if (word.startsWith('eval')) i = parseEval(lines, i, commands);
    else throw new Error(`line ${i + 1}: invalid command ${JSON.stringify(l)}`);
  }
  return commands;
}

function duration(text: string, line: number): number {
  const ms = text === '0' ? 0 : parseDurationMs(text.trim());
  if (ms === undefined) throw new Error(`line ${line}: invalid duration ${JSON.stringify(text)}`);
  return ms;
}

function parseLoad(lines: string[], i: number, out: Command[]): number {
  const m = LOAD.exec(lines[i] as string);
  if (!m) throw new Error(`line ${i + 1}: invalid load command`);
  const nhcb = m[1] === 'with_nhcb';
  const series: SeriesDescription[] = [];
  const histograms: Labels[] = [];
  let startTimestamps = false;
  const line = i + 1;
  while (i + 1 < lines.length && lines[i + 1] !== '') {
    const def = lines[++i] as string;
    const [metric, values] = splitSeriesLine(def);
    if (metric.endsWith('@st')) {
      startTimestamps = true;
      continue;
    }
    if (values.includes('{{')) {
      histograms.push(parseSeriesDescription(metric).labels);
      continue;
    }
    const description = parseSeriesDescription(def);
    series.push(description);
    if (nhcb) {
      const base = classicHistogramBase(description.labels);
      if (base) histograms.push(base);
    }
  }
  out.push({
    kind: 'load',
    line,
    stepMs: duration(m[2] as string, line),
    series,
    histograms,
    startTimestamps,
  });
  return i;
}

/** load_with_nhcb also writes each classic histogram as a native one under its base name. */
function classicHistogramBase(labels: Labels): Labels | undefined {
  const name = labels.__name__ ?? '';
  const suffix = /_(bucket|count|sum)$/.exec(name);
  if (!suffix) return undefined;
  const { le: _le, ...rest } = labels;
  return { ...rest, __name__: name.slice(0, suffix.index) };
}

/** `metric{a="b c"} 1 2` -> [`metric{a="b c"}`, `1 2`]: the first blank outside braces and quotes. */
export function splitSeriesLine(def: string): [string, string] {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < def.length; i++) {
    const c = def[i] as string;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (depth === 0 && /\s/.test(c)) return [def.slice(0, i), def.slice(i).trim()];
  }
  return [def, ''];
}

function parseEval(lines: string[], i: number, out: Command[]): number {
  const first = lines[i] as string;
  const line = i + 1;
  const instant = EVAL_INSTANT.exec(first);
  const range = instant ? undefined : EVAL_RANGE.exec(first);
  if (!instant && !range) throw new Error(`line ${line}: invalid evaluation command`);
  const mod = instant ? instant[1] : range?.[1];
  const expr = (instant ? instant[3] : range?.[5]) as string;
  let fail = mod === 'fail';
  let failMessage: string | undefined;
  let failRegex: RegExp | undefined;
  let ordered = mod === 'ordered';
  let rangeVector: Eval['rangeVector'];
  let expectString: string | undefined;
  let expectScalar: number | undefined;
  let histogramResult = false;
  const expected: Expected[] = [];
  const annotations: string[] = [];
  let pos = 0;
  while (i + 1 < lines.length && lines[i + 1] !== '') {
    const def = lines[++i] as string;
    if (fail && def.startsWith('expected_fail_message')) {
      failMessage = def.slice('expected_fail_message'.length).trim();
      break;
    }
    if (fail && def.startsWith('expected_fail_regexp')) {
      failRegex = new RegExp(def.slice('expected_fail_regexp'.length).trim());
      break;
    }
    const rv = EXPECT_RANGE.exec(def);
    if (rv) {
      rangeVector = {
        start: duration(rv[1] as string, i + 1),
        end: duration(rv[2] as string, i + 1),
        step: duration(rv[3] as string, i + 1),
      };
      continue;
    }
    if (def.startsWith('expect string')) {
      expectString = unquoteString(def.slice('expect string'.length).trim());
      continue;
    }
    if (def.split(' ')[0] === 'expect') {
      const e = EXPECT.exec(def);
      if (!e) throw new Error(`line ${i + 1}: invalid expect statement`);
      if (e[1] === 'fail') {
        fail = true;
        if (e[2] === 'msg') failMessage = (e[3] as string).trim();
        if (e[2] === 'regex') failRegex = new RegExp((e[3] as string).trim());
      } else if (e[1] === 'ordered') ordered = true;
      else annotations.push(def);
      continue;
    }
    pos++;
    const scalar = goNumber(def);
    if (scalar !== undefined) {
      expectScalar = scalar;
      break;
    }
    const [, values] = splitSeriesLine(def);
    if (values.includes('{{')) {
      histogramResult = true;
      continue;
    }
    const description = parseSeriesDescription(def);
    expected.push({ labels: description.labels, values: description.values, pos });
  }
  const start = instant ? duration(instant[2] ?? '', line) : duration(range?.[2] as string, line);
  const rangePart = range
    ? { end: duration(range[3] as string, line), step: duration(range[4] as string, line) }
    : undefined;
  out.push({
    kind: 'eval',
    line,
    expr,
    start,
    range: rangePart,
    fail,
    failMessage,
    failRegex,
    ordered,
    rangeVector,
    expectString,
    expectScalar,
    expected,
    histogramResult,
    annotations,
  });
  return i;
}

/** test.go's parseNumber: Go's ParseInt with base 0, then ParseFloat (Inf, NaN, exponents). */
function goNumber(text: string): number | undefined {
  if (
    !/^[+-]?(?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|[iI]nf(?:inity)?|NaN|nan)$/.test(
      text,
    )
  )
    return undefined;
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[+-]/, '');
  if (/^inf/i.test(body)) return sign * Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(body)) return Number.NaN;
  if (/^0[0-7]+$/.test(body)) return sign * Number.parseInt(body, 8);
  return sign * Number(body);
}
