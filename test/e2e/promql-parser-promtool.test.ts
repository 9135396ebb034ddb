// Our PromQL parser against a real Prometheus parser: Debian's promtool (2.42) checks the same
// expressions in a rule file. Only syntax Prometheus 2.42 and 3.14 treat alike is compared here
// (3.x-only syntax: UTF-8 names, duration expressions, is covered by Prometheus's own 3.14 test files).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { evaluateInstant, MemoryStorage, PromqlParseError, parseExpr } from '../../core/promql/index.js';

const dir = mkdtempSync(join(tmpdir(), 'trb-promql-promtool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** promtool's verdict: undefined when it accepts, else its `line:col: parse error: ...` text. */
function promtool(expr: string, name: string): string | undefined {
  const file = join(dir, `${name}.rules.yaml`);
  writeFileSync(file, stringify({ groups: [{ name: 'g', rules: [{ record: 'r', expr }] }] }));
  try {
    execFileSync('promtool', ['check', 'rules', file], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    const output = `${(err as { stdout: Buffer }).stdout}${(err as { stderr: Buffer }).stderr}`;
    return /could not parse expression: (.*)/.exec(output)?.[1] ?? output;
  }
}

/** Ours, in promtool's shape. */
function ours(expr: string): string | undefined {
  try {
    parseExpr(expr);
    return undefined;
  } catch (err) {
    if (!(err instanceof PromqlParseError)) throw err;
    return err.message.replace(/^(\d+:\d+): /, '$1: parse error: ');
  }
}

const ACCEPTED = [
  'sum by (job) (rate(http_requests_total{code=~"5..", method!="GET"}[5m])) / on(job) group_left sum by (job) (rate(http_requests_total[5m]))',
  'histogram_quantile(0.99, sum by (le) (rate(mcp_request_duration_seconds_bucket[5m]))) > 2',
  '-2 ^ 2 * 3',
  'a + b offset 1m',
  '-a @ 100',
  'a * b @ 1 offset 5m > bool 0 or c',
  'max_over_time(rate(x[1m])[10m:1m] @ 100)',
  'topk(3, x) by (a) unless y',
  'count_values("v", x)',
  'label_replace(up, "dst", "$1", "src", "(.*)")',
  'absent_over_time(up{job="a"}[10m] offset -1h)',
  '1 > bool 2',
  'x[5m:]',
  'sum without () (x)',
  'time() - timestamp(up)',
  '0x1F + .5 + 1e3 + Inf - NaN',
  `count_values('single', x) + count_values("double", x)`,
];

/** Refused by both, with the message and column where Prometheus's wording is the same in 2.42 and 3.14. */
const REFUSED: readonly [string, boolean][] = [
  ['1 > 2', true],
  ['rate(x)', true],
  ['a + bool b', true],
  ['a and 1', true],
  ['a and on(x) group_left b', true],
  ['a + on(x) group_left(x) b', true],
  ['sum(x[5m])', true],
  ['topk("a", x)', true],
  ['abs(x, y)', true],
  ['(x)[5m]', true],
  ['x offset 1m [5m]', true],
  [`'a' == bool "b"`, true],
  ['a[5m] + 1', true],
  ['x offset 1m offset 2m', true],
  ['{a=~".*"}', true],
  ['up{__name__="down"}', true],
  ['sum(rat(x[5m]))', false],
  ['sum(x) by (job) +', false],
  ['rate(x[5m],)', false],
  ['x[5m][10m:]', true],
];

describe('our PromQL parser agrees with promtool', () => {
  it.each(ACCEPTED.map((e, i) => [e, i] as const))('accepts %s', (expr, i) => {
    expect(promtool(expr, `ok${i}`)).toBeUndefined();
    expect(ours(expr)).toBeUndefined();
  });

  it.each(REFUSED.map(([e, same], i) => [e, same, i] as const))('refuses %s', (expr, sameWords, i) => {
    const theirs = promtool(expr, `bad${i}`);
    expect(theirs).toBeDefined();
    const mine = ours(expr);
    expect(mine).toBeDefined();
    if (sameWords) expect(mine).toBe(theirs);
  });
});

/**
 * Chains of arithmetic and comparisons of small numbers, signed and parenthesised: how they group is
 * all that decides the value. `^` only raises an integer to 0, 1 or 2 (possibly twice: right
 * associativity), so every operation is exact in both engines and the values must be identical.
 */
const OPERATORS = ['+', '-', '*', '/', '%', '== bool', '> bool', '<= bool'];
const literal = fc.integer({ min: 1, max: 3 }).map(String);
const power = fc
  .tuple(literal, fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 2 }))
  .map(([base, exponents]) => [base, ...exponents].join(' ^ '));
const signed = (operand: fc.Arbitrary<string>) =>
  fc.tuple(fc.boolean(), operand).map(([negative, x]) => (negative ? `-${x}` : x));
const chainOf = (operand: fc.Arbitrary<string>) =>
  fc
    .tuple(
      operand,
      fc.array(fc.tuple(fc.constantFrom(...OPERATORS), operand), { minLength: 1, maxLength: 4 }),
    )
    .map(([first, rest]) => first + rest.map(([op, x]) => ` ${op} ${x}`).join(''));
const simple = signed(fc.oneof(literal, power));
const arithmetic = chainOf(fc.oneof(simple, signed(chainOf(simple).map((e) => `(${e})`))));
/** Where a sign meets `^` (lezer-promql reads `-2 ^ 2` as (-2)^2; Prometheus as -(2^2)). */
const SIGNS_AND_POWERS = [
  '-2 ^ 2',
  '+2 ^ 2',
  '- 2 ^ 2',
  '-2 ^ 2 ^ 1',
  '2 * -2 ^ 2',
  '1 - -2 ^ 2',
  '-(2) ^ 2',
  '(-2) ^ 2',
  '-2 ^ -2 ^ 1 + 1',
];

describe('our PromQL parser groups operators as Prometheus does', () => {
  it('gives promtool the values our engine computes for signs before ^ and 150 random expressions', () => {
    const exprs = [...SIGNS_AND_POWERS, ...fc.sample(arithmetic, { numRuns: 400, seed: 20261207 })];
    const storage = new MemoryStorage();
    // Each expression inside a call and as the right side of an operator: lezer-promql reads a sign
    // differently in the two places, and both must group as Prometheus does.
    const valueOf = (expr: string) => {
      const value = evaluateInstant(parseExpr(expr), storage, 0);
      return value.type === 'vector' ? value.samples[0]?.v : undefined;
    };
    const tests = exprs
      .flatMap((e) => [`vector(${e})`, `vector(0) + ${e}`])
      .map((expr) => ({ expr, v: valueOf(expr) }))
      .filter((c): c is { expr: string; v: number } => c.v !== undefined && Number.isFinite(c.v))
      .slice(0, 2 * (150 + SIGNS_AND_POWERS.length));
    expect(tests.length).toBe(2 * (150 + SIGNS_AND_POWERS.length));
    const file = join(dir, 'arithmetic.test.yaml');
    writeFileSync(
      file,
      stringify({
        rule_files: [],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [],
            promql_expr_test: tests.map(({ expr, v }) => ({
              expr,
              eval_time: '0m',
              exp_samples: [{ labels: '{}', value: v }],
            })),
          },
        ],
      }),
    );
    const run = () => execFileSync('promtool', ['test', 'rules', file], { stdio: 'pipe' }).toString();
    expect(run()).toContain('SUCCESS');
  });
});
