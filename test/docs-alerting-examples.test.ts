// The alerting docs' examples as a user copies them: each YAML config saved beside the repository's
// config/ and examples/ validates, and test-rules prints for a wrong expectation what
// docs/alerting.md shows (promtool prints the same, test/e2e/rule-tests.test.ts checks that).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTestFile } from '../core/rules/unittest/index.js';
import { Engine } from '../main.js';

const root = join(import.meta.dirname, '..');
const DOCS = [
  'docs/alerting.md',
  'plugins/processors/alertrules/README.md',
  'plugins/connectors/alertrules/README.md',
  'plugins/exporters/alertmanager/README.md',
];

/** The fenced blocks of a markdown file with the given info string ('' for none). */
function blocks(file: string, info: string): string[] {
  const found: string[] = [];
  let open: { info: string; lines: string[] } | undefined;
  for (const line of readFileSync(join(root, file), 'utf8').split('\n')) {
    if (!line.startsWith('```')) open?.lines.push(line);
    else if (!open) open = { info: line.slice(3).trim(), lines: [] };
    else {
      if (open.info === info) found.push(`${open.lines.join('\n')}\n`);
      open = undefined;
    }
  }
  return found;
}

/** A directory standing for the repository's root: its config/ and examples/, and room for a user's file. */
const dir = mkdtempSync(join(tmpdir(), 'alerting-docs-'));
for (const sub of ['config', 'examples']) symlinkSync(join(root, sub), join(dir, sub));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('alerting docs examples', () => {
  const examples = DOCS.flatMap((doc) =>
    blocks(doc, 'yaml').map((yaml, i) => ({ doc, n: String(i + 1), yaml })),
  );

  it('has an example in each of the docs', () => {
    expect(new Set(examples.map((e) => e.doc))).toEqual(new Set(DOCS));
  });

  it.each(examples)('$doc example $n validates', async ({ doc, n, yaml }) => {
    const file = join(dir, `${doc.replaceAll('/', '-')}-${n}.yaml`);
    writeFileSync(file, yaml);
    // The alertmanager README reads its token from the environment, as it says.
    process.env.AM_TOKEN = 'example-token';
    try {
      const { graph } = await (await Engine.fromFile(file)).validate();
      expect(graph.pipelines.size).toBeGreaterThan(0);
    } finally {
      delete process.env.AM_TOKEN;
    }
  });

  it("docs/alerting.md's failed test-rules report is what a wrong description gives", async () => {
    const report = blocks('docs/alerting.md', '').find((b) => b.startsWith('Unit Testing:'));
    expect(report).toBeDefined();
    const test = readFileSync(join(root, 'config/alerts/mcp-server.test.yaml'), 'utf8');
    const right = 'description: "Error rate is 0.5 errors per second"';
    expect(test).toContain(right);
    // A copy of config/alerts/ with the one description changed to 0.6.
    const copy = mkdtempSync(join(tmpdir(), 'alerting-docs-test-'));
    const wrong = join(copy, 'mcp-server.test.yaml');
    copyFileSync(join(root, 'config/alerts/mcp-server.rules.yaml'), join(copy, 'mcp-server.rules.yaml'));
    writeFileSync(wrong, test.replace(right, right.replace('0.5', '0.6')));
    const { errors } = await runTestFile(wrong);
    rmSync(copy, { recursive: true, force: true });
    const printed = `Unit Testing:  config/alerts/mcp-server.test.yaml\n  FAILED:\n${errors.join('\n')}\n`;
    expect(printed.replace(/[ \t]+$/gm, '')).toBe(report);
  });
});
