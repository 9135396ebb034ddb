/**
 * Prometheus's own PromQL test files (v3.14.0, test/fixtures/promqltest/) against Tributary's
 * parser, evaluator and functions: one test per eval case, named `<line>: <expr>`; cases outside the
 * scope are skipped with their reason (promqltest/skip.ts). The counts are printed at the end.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import type { Labels } from '../../../core/promql/types.js';
import { runCase, Session } from './promqltest/run.js';
import { type Command, parseScript } from './promqltest/script.js';
import { skipReason } from './promqltest/skip.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/promqltest');
const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.test'))
  .sort();

const counts = { passed: 0, failed: 0, skipped: 0 };
const skippedBy = new Map<string, number>();

for (const file of files) {
  describe(file, () => {
    const commands = parseScript(readFileSync(join(FIXTURES, file), 'utf8'));
    const session = new Session(commands);
    let histograms: Labels[] = [];
    let startTimestamps = false;
    commands.forEach((c: Command, index) => {
      if (c.kind === 'clear') [histograms, startTimestamps] = [[], false];
      if (c.kind === 'load') {
        histograms = [...histograms, ...c.histograms];
        startTimestamps ||= c.startTimestamps;
      }
      if (c.kind !== 'eval') return;
      const name = `${c.line}: ${c.expr}`;
      const reason = skipReason(c, { histograms, startTimestamps });
      if (reason) {
        counts.skipped++;
        skippedBy.set(reason, (skippedBy.get(reason) ?? 0) + 1);
        it.skip(`${name} (${reason})`, () => {});
        return;
      }
      it(name, () => {
        const storage = session.advanceTo(index);
        try {
          runCase(c, storage);
          counts.passed++;
        } catch (err) {
          counts.failed++;
          throw err;
        }
      });
    });
  });
}

afterAll(() => {
  const lines = [...skippedBy].map(([reason, n]) => `  ${String(n).padStart(4)} skipped: ${reason}`);
  console.log(
    `promqltest v3.14.0: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n${lines.join('\n')}`,
  );
});
