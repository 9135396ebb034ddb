// Every shipped rule unit test, run by Debian's promtool and by `tributary test-rules` (dist/cli.js):
// both pass them all, and both fail the same test with one expectation changed.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { promtool } from './prometheus-helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
// Every shipped rule file and unit test: a new one is checked without being listed here.
const shipped = (suffix: string) =>
  ['examples/prometheus', 'config/alerts'].flatMap((dir) =>
    readdirSync(join(ROOT, dir))
      .filter((f) => f.endsWith(suffix))
      .map((f) => `${dir}/${f}`),
  );
const TESTS = shipped('.test.yaml');
const RULES = shipped('.rules.yaml');

function tributary(...args: string[]): { code: number; output: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status ?? 1, output: `${run.stdout}${run.stderr}` };
}

describe('the shipped rule files and their unit tests', () => {
  it.each(RULES)('promtool check rules %s', async (file) => {
    const { code, output } = await promtool(['check', 'rules', join(ROOT, file)]);
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(code).toBe(0);
  });

  it.each(TESTS)('promtool test rules %s', async (file) => {
    const { code, output } = await promtool(['test', 'rules', join(ROOT, file)]);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
  });

  it('are all there', () => {
    expect(TESTS).toHaveLength(6);
    expect(RULES).toHaveLength(6);
  });

  it('tributary test-rules runs them all in one run', () => {
    const { code, output } = tributary('test-rules', ...TESTS.map((f) => join(ROOT, f)));
    expect(output.match(/^ {2}SUCCESS$/gm)).toHaveLength(TESTS.length);
    expect(output).not.toContain('FAILED');
    expect(code).toBe(0);
  });

  it("config/alerts/mcp-server.rules.yaml holds the guide's rules as examples/prometheus does", async () => {
    const read = async (file: string) => parse(await readFile(join(ROOT, file), 'utf8'));
    expect(await read('config/alerts/mcp-server.rules.yaml')).toEqual(
      await read('examples/prometheus/mcp-alerts.rules.yaml'),
    );
  });
});

describe('the same report as promtool', () => {
  const FIXTURES = join(ROOT, 'test/fixtures/rule-tests');
  // promtool prints the test file as given: both run from the fixtures directory with a relative path.
  const inFixtures = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], { cwd: FIXTURES, encoding: 'utf8', timeout: 60_000 });
  const promtoolIn = (...args: string[]) =>
    spawnSync('promtool', args, { cwd: FIXTURES, encoding: 'utf8', timeout: 60_000 });

  it('passes group_eval_order, external labels and URL, recording rules, scalars and named groups in both', () => {
    for (const run of [
      promtoolIn('test', 'rules', 'features.test.yaml'),
      inFixtures('test-rules', 'features.test.yaml'),
    ]) {
      expect(run.stdout).toBe('Unit Testing:  features.test.yaml\n  SUCCESS\n\n');
      expect(run.status).toBe(0);
    }
  });

  it('fails wrong labels, a pending alert, an unknown alert, wrong and missing samples word for word as promtool', () => {
    const theirs = promtoolIn('test', 'rules', 'failing.test.yaml');
    const ours = inFixtures('test-rules', 'failing.test.yaml');
    expect(theirs.stderr).toContain('alertname: TooManyRequests, time: 5m,');
    expect(ours.stderr).toBe(theirs.stderr);
    expect(ours.stdout).toBe(theirs.stdout);
    expect([theirs.status, ours.status]).toEqual([1, 1]);
  });
  it('stops a test group at a rule whose query fails, with the rule, the time and the error, as promtool', () => {
    const theirs = promtoolIn('test', 'rules', 'rule-error.test.yaml');
    const ours = inFixtures('test-rules', 'rule-error.test.yaml');
    expect(theirs.stderr).toContain(
      '    rule: ManyToMany, time: 0s, err: found duplicate series for the match group {}',
    );
    // Which of the two duplicates promtool names first changes from run to run (Go's map order:
    // 10 of 12 runs say b first here); ours always does. The pair is compared as a set.
    const pairAsSet = (text: string) =>
      text.replace(
        /\[(\{[^}]*\}), (\{[^}]*\})\]/,
        (_, x: string, y: string) => `[${[x, y].sort().join(', ')}]`,
      );
    expect(pairAsSet(ours.stderr)).toBe(pairAsSet(theirs.stderr));
    expect(ours.stdout).toBe(theirs.stdout);
    expect([theirs.status, ours.status]).toEqual([1, 1]);
  });
});

describe('a deliberately wrong expectation', () => {
  let dir: string;
  let wrongTest: string;

  beforeAll(async () => {
    // A temp copy of config/alerts with one expectation changed: HighErrorRate's rate is 0.5, not 0.6.
    dir = await mkdtemp(join(tmpdir(), 'wrong-expectation-'));
    await cp(join(ROOT, 'config/alerts'), dir, { recursive: true });
    wrongTest = join(dir, 'mcp-server.test.yaml');
    const text = await readFile(wrongTest, 'utf8');
    const wrong = text.replace('Error rate is 0.5 errors per second', 'Error rate is 0.6 errors per second');
    expect(wrong).not.toBe(text);
    await writeFile(wrongTest, wrong);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('fails promtool test rules', async () => {
    const { code, output } = await promtool(['test', 'rules', wrongTest]);
    expect(output).toContain('FAILED:');
    expect(output).toMatch(/alertname: HighErrorRate, time: 6m,/);
    expect(output).toContain('Annotations:{description="Error rate is 0.5 errors per second"');
    expect(code).toBe(1);
  });

  it('fails tributary test-rules the same way, and the other files in the run still pass', () => {
    const { code, output } = tributary('test-rules', join(dir, 'errors.test.yaml'), wrongTest);
    expect(output).toContain(`Unit Testing:  ${join(dir, 'errors.test.yaml')}\n  SUCCESS`);
    expect(output).toContain(`Unit Testing:  ${wrongTest}`);
    expect(output).toContain('  FAILED:');
    expect(output).toMatch(/alertname: HighErrorRate, time: 6m,/);
    expect(output).toContain('Annotations:{description="Error rate is 0.6 errors per second"');
    expect(output).toContain('Annotations:{description="Error rate is 0.5 errors per second"');
    expect(code).toBe(1);
  });
});
