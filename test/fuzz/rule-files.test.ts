// Any text as a rule file: loadRuleFiles gives groups or a RulesLoadError whose problems each have a
// TRB code and a position in the file, never another exception (validate must locate every mistake).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRuleFilesSync, RulesLoadError } from '../../core/rules/index.js';
import { fuzzSettings, fuzzTimeout } from './settings.js';

const LINES = [
  'groups:',
  '  - name: g',
  '  - name: g',
  '    interval: 30s',
  '    interval: x',
  '    limit: 2',
  '    rules:',
  '      - alert: A',
  '      - record: r',
  '        expr: up == 0',
  '        expr: rate(x[5m]',
  '        expr: |',
  '          sum(x)',
  '        for: 5m',
  '        labels: { a: "{{ $value }}" }',
  '        labels: { a: "{{ if }}" }',
  '        annotations:',
  '          s: "{{ $labels.job }}"',
  '        keep_firing_for: 1m',
  '  - x',
  'groups: 3',
  '- - -',
  '        expr: sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / 2',
  '        bogus: 1',
  '    rules: []',
];

describe('rule files from any text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trb-rules-fuzz-'));
  it(
    'load, or fail with located TRB problems',
    () => {
      const text = fc.oneof(
        fc.string({ maxLength: 80 }),
        fc.array(fc.constantFrom(...LINES), { maxLength: 14 }).map((lines) => lines.join('\n')),
      );
      fc.assert(
        fc.property(text, (content) => {
          writeFileSync(join(dir, 'rules.yaml'), content);
          try {
            loadRuleFilesSync(['rules.yaml'], { baseDir: dir });
          } catch (err) {
            expect(err).toBeInstanceOf(RulesLoadError);
            for (const p of (err as RulesLoadError).problems) {
              expect(p.code).toMatch(/^TRB_(RULES|PROMQL)_[A-Z]+$/);
              expect(p.line).toBeGreaterThan(0);
              expect(p.column).toBeGreaterThan(0);
            }
          }
        }),
        fuzzSettings(1000),
      );
    },
    fuzzTimeout(1000),
  );
});
