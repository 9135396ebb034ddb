// Our PromQL parser against a real Prometheus parser: Debian's promtool (2.42) checks the same
// expressions in a rule file. Only syntax Prometheus 2.42 and 3.14 treat alike is compared here
// (3.x-only syntax: UTF-8 names, duration expressions, is covered by Prometheus's own 3.14 test files).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PromqlParseError, parseExpr } from '../../core/promql/index.js';

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
