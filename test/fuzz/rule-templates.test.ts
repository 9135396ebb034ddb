// Any text as an alert template: it parses or is refused with a located TemplateSyntaxError, and
// once parsed it expands to text (a failure as Prometheus's "<error expanding template: ...>"),
// never a crash. Rule files are user input: validate must answer each with a TRB error or success.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { templateFunctions } from '../../core/rules/template/functions.js';
import {
  compileAlertTemplate,
  expandAlertTemplate,
  TemplateSyntaxError,
} from '../../core/rules/template/index.js';
import { fuzzSettings, fuzzTimeout } from './settings.js';

const PIECES = [
  '{{',
  '}}',
  '{{-',
  '-}}',
  ' ',
  '$labels',
  '$value',
  '.Labels',
  '.job',
  '$x',
  ':=',
  '=',
  '|',
  '(',
  ')',
  ',',
  'if',
  'else',
  'end',
  'range',
  'with',
  'humanize',
  'printf',
  '"%.2f"',
  '"a"',
  '`r`',
  '1',
  '2.5',
  '-1',
  'eq',
  'gt',
  'and',
  'or',
  'not',
  'len',
  'index',
  'query',
  'first',
  'value',
  'title',
  '/*',
  '*/',
  'x',
  '\n',
];

const functions = templateFunctions({
  t: 0,
  externalUrl: 'http://localhost:9090',
  query: () => [{ labels: { job: 'a' }, value: 1 }],
});

describe('alert templates from any text', () => {
  it(
    'parse or are refused with a position, and expand without throwing',
    () => {
      const template = fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }).map((parts) => parts.join('')),
      );
      fc.assert(
        fc.property(template, (text) => {
          let parsed: ReturnType<typeof compileAlertTemplate>;
          try {
            parsed = compileAlertTemplate(text);
          } catch (err) {
            expect(err).toBeInstanceOf(TemplateSyntaxError);
            const { offset } = err as TemplateSyntaxError;
            expect(offset).toBeGreaterThanOrEqual(0);
            expect(offset).toBeLessThanOrEqual(text.length);
            return;
          }
          const out = expandAlertTemplate(
            parsed,
            'Fuzz',
            { labels: { job: 'api' }, externalLabels: {}, externalUrl: 'http://localhost:9090', value: 0.5 },
            functions,
          );
          expect(typeof out).toBe('string');
        }),
        fuzzSettings(2000),
      );
    },
    fuzzTimeout(2000),
  );
});
