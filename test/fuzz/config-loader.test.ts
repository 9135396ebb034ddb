// Any text as a config file: the loader and the validator answer with located TRB_... errors or a valid
// config, never another exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../core/config/load.js';
import { validateConfig } from '../../core/config/validate.js';
import { TributaryError, TributaryErrors } from '../../core/errors.js';
import { Registry } from '../../core/registry.js';
import { builtins } from '../../plugins/index.js';
import { fuzzSettings, fuzzTimeout } from './settings.js';

const registry = new Registry();
for (const plugin of builtins) registry.register(plugin);

/** Words that make a config go deeper than random text would: real sections, components and keys. */
const WORDS = [
  'receivers',
  'processors',
  'exporters',
  'connectors',
  'extensions',
  'service',
  'pipelines',
  'plugins',
  'traces',
  'metrics',
  'logs',
  'traces/a',
  'mcp',
  'otlp',
  'batch',
  'memory_limiter',
  'prometheus',
  'stdout',
  'file',
  'percentiles',
  'errortracking',
  'forward',
  'health_check',
  'endpoint',
  'timeout',
  'limit_mib',
  'send_batch_size',
  '10s',
  '-1',
  '0',
  '1e309',
  'null',
  '~',
  'true',
  '${env:HOME}',
  '${env:X:-1}',
  '$${',
  '${env:',
  '&a',
  '*a',
  '<<',
  '!!binary',
  '!!str',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  ':',
  ',',
  '- ',
  '#',
  '\t',
  '\n',
  '  ',
  '\u0000',
  '\ufeff',
  '%YAML 1.2',
  '---',
  '...',
  '? ',
];
const token = fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 8 }));
const line = fc
  .tuple(fc.nat({ max: 6 }), fc.array(token, { maxLength: 6 }))
  .map(([indent, parts]) => `${' '.repeat(indent)}${parts.join(' ')}`);
const yamlish = fc.array(line, { maxLength: 24 }).map((lines) => lines.join('\n'));
/** A valid config with a few of its lines replaced, dropped or repeated: deep, and sometimes still valid. */
const VALID = [
  'receivers:',
  '  otlp: { protocols: { http: { endpoint: 127.0.0.1:4318 } } }',
  'processors:',
  '  batch: { timeout: 200ms }',
  '  memory_limiter: { limit_mib: 64 }',
  'exporters:',
  '  stdout: {}',
  '  prometheus: { endpoint: 127.0.0.1:9464 }',
  'service:',
  '  pipelines:',
  '    traces:',
  '      receivers: [otlp]',
  '      processors: [memory_limiter, batch]',
  '      exporters: [stdout]',
  '    metrics:',
  '      receivers: [otlp]',
  '      exporters: [prometheus]',
];
const edit = fc.tuple(
  fc.nat({ max: VALID.length - 1 }),
  fc.constantFrom('replace', 'drop', 'repeat', 'keep'),
  line,
);
const mutated = fc.array(edit, { maxLength: 3 }).map((edits) => {
  const lines = [...VALID];
  for (const [at, how, text] of edits) {
    if (how === 'replace') lines[at] = text;
    else if (how === 'drop') lines.splice(at, 1);
    else if (how === 'repeat') lines.splice(at, 0, lines[at] ?? '');
  }
  return lines.join('\n');
});
const anyText = fc.oneof(mutated, yamlish, fc.string({ unit: 'binary', maxLength: 400 }));

/** What the user sees: TRB errors with a location, or a config. Anything else is a bug. */
async function load(text: string): Promise<'valid' | 'invalid'> {
  let loaded: ReturnType<typeof parseConfigText>;
  try {
    loaded = parseConfigText(text, '/fuzz/config.yaml', { HOME: '/home/x' });
  } catch (err) {
    expectUserErrors(err);
    return 'invalid';
  }
  const checked = await validateConfig(loaded, registry);
  if (checked.errors.length === 0) return 'valid';
  for (const error of checked.errors) expectUserErrors(error);
  return 'invalid';
}

function expectUserErrors(err: unknown): void {
  const errors = err instanceof TributaryErrors ? err.errors : [err];
  for (const error of errors) {
    if (!(error instanceof TributaryError)) throw err;
    expect(error.code).toMatch(/^TRB_[A-Z_]+$/);
    expect(error.message.length).toBeGreaterThan(0);
  }
}

describe('fuzz: config loader', () => {
  it(
    'answers any text with located TRB errors or a valid config',
    async () => {
      const seen = { valid: 0, invalid: 0 };
      await fc.assert(
        fc.asyncProperty(anyText, async (text) => {
          seen[await load(text)]++;
        }),
        fuzzSettings(300),
      );
      // The property explored both outcomes, so it was not only ever feeding text that fails to parse.
      expect(seen.invalid).toBeGreaterThan(0);
      expect(seen.valid).toBeGreaterThan(0);
    },
    fuzzTimeout(300),
  );
});
