// Rules written as a user writes them (test/e2e/fixtures/user-rules/: rate over counters that reset,
// stale series, absent(), label_replace, a recording rule feeding an alert, templates with humanize*,
// $labels, $value, $externalLabels and query) run by Debian's promtool and by `tributary test-rules`
// (dist/cli.js): with every expectation empty, each prints everything it got, and the two reports are
// the same byte for byte, stdout and stderr. Before the fix it found, ours printed NaN samples after
// `stale`. Times at :20 and 270s windows keep off the edges where promtool 2.42 and Prometheus 3
// differ (docs/alerting.md); no topk ties: promtool breaks them at random (its series come from a map).
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
    // v{x="3"} is `5 stale _x2 0x3`: nothing from it at 2m20s.
    expect(promtool.stderr).toContain(
      'expr: "v", time: 2m20s,\n        exp: nil\n        got: {__name__="v", x="2"} 2E+00\n',
    );
    expect(tributary).toEqual(promtool);
  });
});
