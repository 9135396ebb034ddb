import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../../core/promql/functions/index.js';
import { parseExpr } from '../../../../core/promql/index.js';
import { call, results, string, vector } from './helpers.js';

const testmetric = vector([
  'testmetric{src="source-value-10",dst="original-destination-value"} 0',
  'testmetric{src="source-value-20",dst="original-destination-value"} 1',
]);
const replace = (dst: string, replacement: string, src: string, regex: string) =>
  results(call('label_replace', [testmetric, string(dst), string(replacement), string(src), string(regex)]));

// Expected values are Prometheus v3.14.0's, from promql/promqltest/testdata/functions.test.
describe('label_replace', () => {
  it('replaces on a full match of the source label', () => {
    expect(replace('dst', 'destination-value-$1', 'src', 'source-value-(.*)')).toEqual([
      '{__name__="testmetric", dst="destination-value-10", src="source-value-10"} 0',
      '{__name__="testmetric", dst="destination-value-20", src="source-value-20"} 1',
    ]);
    expect(replace('dst', '$1-value-$2', 'src', '(.*)-value-(.*)')).toEqual([
      '{__name__="testmetric", dst="source-value-10", src="source-value-10"} 0',
      '{__name__="testmetric", dst="source-value-20", src="source-value-20"} 1',
    ]);
  });

  it('leaves a sample alone when the regexp matches only part of the value, or nothing', () => {
    const unchanged = [
      '{__name__="testmetric", dst="original-destination-value", src="source-value-10"} 0',
      '{__name__="testmetric", dst="original-destination-value", src="source-value-20"} 1',
    ];
    expect(replace('dst', 'destination-value-$1', 'src', 'value-(.*)')).toEqual(unchanged);
    expect(replace('dst', 'value-$1', 'nonexistent-src', 'source-value-(.*)')).toEqual(unchanged);
    expect(replace('dst', 'value-$1', 'src', 'non-matching-regex')).toEqual(unchanged);
  });

  it('matches a missing label as empty, and removes a label set to empty', () => {
    expect(replace('dst', 'value-$1', 'nonexistent-src', '(.*)')).toEqual([
      '{__name__="testmetric", dst="value-", src="source-value-10"} 0',
      '{__name__="testmetric", dst="value-", src="source-value-20"} 1',
    ]);
    expect(replace('dst', '', 'dst', '.*')).toEqual([
      '{__name__="testmetric", src="source-value-10"} 0',
      '{__name__="testmetric", src="source-value-20"} 1',
    ]);
  });

  it("expands the replacement as Go does: ${1}, named groups, $$, and $1x naming group '1x'", () => {
    expect(replace('dst', '${1}x-$name-$$-$1x', 'src', '(?P<name>source)-value-(?:.*)')).toEqual([
      '{__name__="testmetric", dst="sourcex-source-$-", src="source-value-10"} 0',
      '{__name__="testmetric", dst="sourcex-source-$-", src="source-value-20"} 1',
    ]);
  });

  it("fails with Prometheus's message on an invalid regexp or destination label name", () => {
    expect(() => replace('dst', 'value-$1', 'src', '(.*')).toThrow(
      /^invalid regular expression in label_replace\(\): \(\.\*$/,
    );
    expect(() => replace('\uFFFD', '', 'src', '(.*)')).toThrow(
      'invalid destination label name in label_replace(): \uFFFD',
    );
    expect(() => replace('dst', '', 'src', '(?U)x')).toThrow(
      expect.objectContaining({ code: 'TRB_PROMQL_EVAL' }),
    );
  });
});

describe('label_join', () => {
  const input = vector([
    'testmetric{src="a",src1="b",src2="c",dst="original-destination-value"} 0',
    'testmetric{src="d",src1="e",src2="f",dst="original-destination-value"} 1',
  ]);
  const join = (...strings: string[]) => results(call('label_join', [input, ...strings.map(string)]));

  it('joins the source values in order, a missing one as empty', () => {
    expect(join('dst', '-', 'src', 'src1', 'src2')).toEqual([
      '{__name__="testmetric", dst="a-b-c", src="a", src1="b", src2="c"} 0',
      '{__name__="testmetric", dst="d-e-f", src="d", src1="e", src2="f"} 1',
    ]);
    expect(join('dst', '-', 'src', 'src3', 'src1')[0]).toBe(
      '{__name__="testmetric", dst="a--b", src="a", src1="b", src2="c"} 0',
    );
  });

  it('removes the destination when the join is empty, with or without sources', () => {
    expect(join('dst', '', 'emptysrc', 'emptysrc1')[0]).toBe(
      '{__name__="testmetric", src="a", src1="b", src2="c"} 0',
    );
    expect(join('dst', ', ')[0]).toBe('{__name__="testmetric", src="a", src1="b", src2="c"} 0');
  });

  it('refuses an empty label name', () => {
    expect(() => join('dst', '-', '')).toThrow('invalid source label name in label_join(): ');
    expect(() => join('', '-', 'src')).toThrow('invalid destination label name in label_join(): ');
  });
});

describe('label_replace at load time', () => {
  const problem = (text: string) => {
    const expr = parseExpr(text);
    if (expr.kind !== 'call') throw new Error('expected a call');
    return FUNCTIONS.get('label_replace')?.unsupportedArguments?.(expr.args);
  };

  it('refuses RE2 that JavaScript cannot express, pointing at the regexp', () => {
    const text = 'label_replace(up, "dst", "$1", "src", (("(?U)a")))';
    const found = problem(text);
    expect(found?.message).toBe(
      'label_replace(): the regular expression "(?U)a" uses the ungreedy flag group (?U), which Tributary cannot translate from RE2',
    );
    expect(text.slice(found?.position.start, found?.position.end)).toBe('"(?U)a"');
  });

  it('leaves translatable and invalid regexps to evaluation, as Prometheus does', () => {
    expect(problem('label_replace(up, "dst", "$1", "src", "(?i)(.*)")')).toBeUndefined();
    expect(problem('label_replace(up, "dst", "$1", "src", "(.*")')).toBeUndefined();
  });
});
