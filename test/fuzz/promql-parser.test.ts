// Any text given to the PromQL parser or the series notation gets a tree or a PromqlParseError with a
// position inside the text: never a TypeError from a tree shape the converter did not expect.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { PromqlParseError, parseExpr } from '../../core/promql/index.js';
import { parseSeriesDescription } from '../../core/promql/series-notation.js';
import { fuzzSettings, fuzzTimeout } from './settings.js';

const TOKENS = [
  'up',
  'x',
  'rate',
  'sum',
  'topk',
  'count_values',
  'histogram_quantile',
  'label_replace',
  'time',
  'vector',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
  'step()',
  'range()',
  'min_of',
  'start()',
  'end()',
  'anchored',
  'smoothed',
  'fill',
  'atan2',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '@',
  '=',
  '!=',
  '=~',
  '!~',
  '==',
  '>',
  '<',
  '>=',
  '<=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '</',
  '>/',
  '"a"',
  "'b'",
  '`c`',
  '"\\x"',
  '"job"',
  '5m',
  '1h30m',
  '0',
  '1',
  '-1',
  '2.5',
  '0x1F',
  'Inf',
  'NaN',
  '.',
  '#c\n',
  '{{',
  '}}',
  ' ',
  '\n',
  '__name__',
  '"a.b"',
  // Number forms 3.14's lexer reads that lezer's tokens do not, and their near misses.
  '1.e3',
  '0x_1F',
  '0X',
  'e',
  '_',
  '1e400',
  // Regexps RE2 accepts and Tributary cannot translate (refused where the string stands).
  '"(?U)a"',
  '`(?-s:.)\\C`',
];

/** Expressions made of PromQL's own tokens, so the parser gets far into the tree, not only the lexer. */
const promqlish = fc.array(fc.constantFrom(...TOKENS), { maxLength: 24 }).map((t) => t.join(' '));
const glued = fc.array(fc.constantFrom(...TOKENS), { maxLength: 24 }).map((t) => t.join(''));

function refusesCleanly(text: string, parse: (t: string) => unknown): void {
  try {
    parse(text);
  } catch (err) {
    if (!(err instanceof PromqlParseError)) throw err;
    const { start, end } = err.position;
    if (!(start >= 0 && start <= end && end <= text.length))
      throw new Error(`position ${start}-${end} outside ${JSON.stringify(text)}`);
  }
}

describe('PromQL parser fuzz', () => {
  it(
    'answers any expression with a tree or a positioned PromqlParseError',
    () => {
      fc.assert(
        fc.property(fc.oneof(promqlish, glued, fc.string({ maxLength: 40 })), (text) =>
          refusesCleanly(text, parseExpr),
        ),
        fuzzSettings(3000),
      );
    },
    fuzzTimeout(3000),
  );

  it(
    'reads an expression the same with a # comment where any blank stands',
    () => {
      const EXPRESSIONS = [
        'sum by (job) (rate(http_requests_total{code=~"5..", job!="x"}[5m])) / on (job) group_left (team) sum by (job, team) (up)',
        'histogram_quantile(0.9, sum without (instance) (rate(x_bucket[5m] offset 1m)))',
        'max_over_time(rate(x[1m])[10m:1m] @ 100) > bool 2 and on (a) y unless z',
        'topk(3, x) + ignoring (b) group_right y * - 2 ^ 2',
        'label_replace(up, "dst", "$1", "src", "(.*)") or count_values("v", x)',
        'x @ - 100 offset - 1m + rate(y [ 5m : 1m ] @ end ( ) ) - 1.e3 * 0x_1F',
      ];
      const withoutSpans = (text: string) =>
        JSON.stringify(parseExpr(text), (k, v) => (k === 'span' ? undefined : v));
      const blankAt = fc.tuple(fc.constantFrom(...EXPRESSIONS), fc.nat()).map(([text, n]) => {
        const blanks = [...text.matchAll(/ /g)].map((m) => m.index as number);
        const at = blanks[n % blanks.length] as number;
        return [text, `${text.slice(0, at)} # a comment\n${text.slice(at)}`] as const;
      });
      fc.assert(
        fc.property(blankAt, ([text, commented]) => withoutSpans(commented) === withoutSpans(text)),
        fuzzSettings(500),
      );
    },
    fuzzTimeout(500),
  );

  it(
    'answers any series description likewise',
    () => {
      const series = fc
        .array(
          fc.constantFrom('m', '{a="1"}', ' ', '1', '+', '-', 'x', '3', '_', 'stale', 'Inf', '.', 'e', '{{'),
          {
            maxLength: 16,
          },
        )
        .map((t) => t.join(''));
      fc.assert(
        fc.property(fc.oneof(series, fc.string({ maxLength: 30 })), (text) =>
          refusesCleanly(text, parseSeriesDescription),
        ),
        fuzzSettings(3000),
      );
    },
    fuzzTimeout(3000),
  );
});
