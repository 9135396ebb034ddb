import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoadedConfig, loadConfigFiles, parseConfigText } from '../../../core/config/load.js';
import { TributaryError, TributaryErrors } from '../../../core/errors.js';

/** Errors thrown while loading, or, for `${env:...}` references, deferred to validation. */
const errorsOf = (fn: () => unknown): TributaryError[] => {
  try {
    const loaded = fn();
    if (loaded instanceof LoadedConfig && loaded.errors.length) return [...loaded.errors];
  } catch (err) {
    if (err instanceof TributaryErrors) return err.errors;
    if (err instanceof TributaryError) return [err];
    throw err;
  }
  throw new Error('expected an error');
};

describe('loading YAML config', () => {
  it('records the line and column of every key', () => {
    const config = parseConfigText(
      'receivers:\n  mcp: {}\nservice:\n  pipelines:\n    traces:\n      exporters: [a, stdot]\n',
      '/x/c.yaml',
    );
    expect(config.locate(['service', 'pipelines', 'traces', 'exporters', 1])).toEqual({
      file: '/x/c.yaml',
      line: 6,
      column: 22,
      path: 'service.pipelines.traces.exporters[1]',
    });
    expect(config.locate(['receivers', 'mcp'])).toMatchObject({ line: 2, column: 3 });
  });

  it('expands ${env:VAR}, defaults and $${ escapes, and nothing else', () => {
    const env = { PORT: '9464', HOST: 'example' };
    const config = parseConfigText(
      'a: ${env:PORT}\nb: "${env:HOST}:${env:PORT}"\nc: ${env:MISSING:-fallback}\nd: $${env:PORT}\ne: $HOME\n',
      '/c.yaml',
      env,
    );
    expect(config.value).toEqual({ a: 9464, b: 'example:9464', c: 'fallback', d: '${env:PORT}', e: '$HOME' });
  });

  it('keeps a quoted reference a string, as the YAML says', () => {
    const config = parseConfigText('a: "${env:PORT}"\nb: ${env:PORT}\n', '/c.yaml', { PORT: '9465' });
    expect(config.value).toEqual({ a: '9465', b: 9465 });
  });

  it('reads a reference inside a flow map, where its braces would otherwise end the value', () => {
    const config = parseConfigText(
      'headers: { x-api-key: ${env:KEY}, x-b: [${env:B:-a,b}] }\nport: ${env:PORT}\n',
      '/c.yaml',
      { KEY: '271828', PORT: '9464' },
    );
    expect(config.value).toEqual({ headers: { 'x-api-key': 271828, 'x-b': ['a,b'] }, port: 9464 });
    expect(config.envText.get('headers.x-api-key')?.text).toBe('271828');
    expect(config.locate(['port'])).toMatchObject({ line: 2, column: 7 });
  });

  it('reads an env value that is not YAML as text, without a warning that would print it', () => {
    const config = parseConfigText('a: ${env:A}\nb: ${env:B}\n', '/c.yaml', { A: '@tok"en', B: '%x' });
    expect(config.value).toEqual({ a: '@tok"en', b: '%x' });
  });

  it('names an undefined variable with its position', () => {
    const [error] = errorsOf(() =>
      parseConfigText('exporters:\n  otlp:\n    headers: { x: "${env:API_TOKEN}" }\n', '/c.yaml', {}),
    );
    expect(error?.code).toBe('TRB_CONFIG_ENV_UNDEFINED');
    expect(error?.format()).toBe(
      '/c.yaml:3:19: TRB_CONFIG_ENV_UNDEFINED exporters.otlp.headers.x: environment variable API_TOKEN is not set; set it, or give a default: ${env:API_TOKEN:-value}',
    );
  });

  it('rejects references other than env', () => {
    const [error] = errorsOf(() => parseConfigText('a: ${file:/etc/passwd}\n', '/c.yaml', {}));
    expect(error?.code).toBe('TRB_CONFIG_BAD_REFERENCE');
  });

  it('reports YAML syntax errors with their position', () => {
    const [error] = errorsOf(() => parseConfigText('a: [1, 2\nb: 3\n', '/c.yaml'));
    expect(error?.code).toBe('TRB_CONFIG_YAML');
    expect(error?.source.line).toBeGreaterThan(0);
  });

  it('reports the first syntax error, not the confusion after it, and every duplicate key', () => {
    const errors = errorsOf(() =>
      parseConfigText('a: 1\na: 2\nb: { x: 1 } }\nc: 3\nd: [4]\ntoken: "s3cret\n', '/c.yaml'),
    );
    expect(errors.map((e) => e.format())).toEqual([
      '/c.yaml:2:1: TRB_CONFIG_YAML Map keys must be unique; fix the YAML syntax',
      '/c.yaml:3:13: TRB_CONFIG_YAML Unexpected flow-map-end token in YAML stream; fix the YAML syntax',
    ]);
  });

  it('merges files in order: maps merge, lists replace, positions follow the file that set them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trb-'));
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    await writeFile(a, 'exporters:\n  stdout: { stream: stdout }\nplugins: [x, y]\n');
    await writeFile(
      b,
      'exporters:\n  stdout: { encoding: json }\n  file: { path: out.jsonl }\nplugins: [z]\n',
    );
    const config = await loadConfigFiles([a, b]);
    expect(config.value).toEqual({
      exporters: { stdout: { stream: 'stdout', encoding: 'json' }, file: { path: 'out.jsonl' } },
      plugins: ['z'],
    });
    expect(config.locate(['exporters', 'stdout', 'stream']).file).toBe(a);
    expect(config.locate(['exporters', 'file']).file).toBe(b);
  });

  it('says which file is missing', async () => {
    await expect(loadConfigFiles(['/nonexistent/tributary.yaml'])).rejects.toMatchObject({
      code: 'TRB_CONFIG_FILE_NOT_FOUND',
    });
  });
});
