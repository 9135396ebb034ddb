// Rules written as a user writes them (test/e2e/fixtures/user-rules/: rate over counters that reset,
// stale series, absent(), label_replace, a recording rule feeding an alert, templates with humanize*,
// $labels, $value, $externalLabels and query) run by Debian's promtool and by `tributary test-rules`
// (dist/cli.js): with every expectation empty, each prints everything it got, and the two reports are
// the same byte for byte, stdout and stderr. Before the fixes it found, ours printed NaN samples after
// `stale`, and topk ties and `query ... | first` picked the first series by labels, not by creation.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const FIXTURES = join(import.meta.dirname, 'fixtures/user-rules');

function run(command: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync(command, args, {
    cwd: FIXTURES,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: status, stdout, stderr };
}

describe("user-written rules: tributary test-rules and promtool's report", () => {
  it('are the same, every alert, annotation and sample of the failed expectations', () => {
    const promtool = run('promtool', ['test', 'rules', 'user.test.yaml']);
    const tributary = run(process.execPath, [join(ROOT, 'dist/cli.js'), 'test-rules', 'user.test.yaml']);
    // Both fail (the expectations are empty) and show what the rules gave.
    expect(promtool.code).toBe(1);
    expect(promtool.stderr).toContain('first="180 api"');
    expect(promtool.stderr).toContain(
      'expr: "topk(1, z)", time: 1m20s,\n        exp: nil\n        got: {__name__="z", i="b"} 1E+00',
    );
    expect(tributary).toEqual(promtool);
  });
});
