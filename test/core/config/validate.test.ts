import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../core/config/load.js';
import { TributaryError, TributaryErrors } from '../../../core/errors.js';
import { Engine } from '../../../main.js';

async function errorsOf(yaml: string, env: NodeJS.ProcessEnv = {}): Promise<TributaryError[]> {
  try {
    await new Engine(parseConfigText(yaml, '/cfg/config.yaml', env)).validate();
  } catch (err) {
    if (err instanceof TributaryErrors) return err.errors;
    if (err instanceof TributaryError) return [err];
    throw err;
  }
  throw new Error('expected the config to be invalid');
}

const PIPELINE = `
service:
  pipelines:
    metrics:
      receivers: [selftelemetry]
      exporters: [stdout]
`;

describe('config validation', () => {
  it('accepts a valid config and applies defaults', async () => {
    const { config } = await new Engine(
      parseConfigText(`receivers: { selftelemetry: }\nexporters: { stdout: {} }\n${PIPELINE}`, '/c.yaml'),
    ).validate();
    expect(config.components.receivers.get('selftelemetry')?.config).toEqual({ collection_interval: 10_000 });
  });

  it('names an unknown exporter in a pipeline with a suggestion', async () => {
    const [e] = await errorsOf(`receivers: { selftelemetry: }
exporters: { stdout: {} }
service:
  pipelines:
    metrics:
      receivers: [selftelemetry]
      exporters: [stdot]
`);
    expect(e?.format()).toBe(
      '/cfg/config.yaml:7:19: TRB_CONFIG_UNKNOWN_COMPONENT service.pipelines.metrics.exporters[0]: unknown exporter "stdot"; did you mean "stdout"?',
    );
  });

  it('names an unknown key inside a component, at the key', async () => {
    const [e] = await errorsOf(
      `receivers: { selftelemetry: }\nexporters:\n  stdout:\n    strem: stderr\n${PIPELINE}`,
    );
    expect(e?.format()).toBe(
      '/cfg/config.yaml:4:5: TRB_CONFIG_UNKNOWN_KEY exporters.stdout.strem: unknown key "strem"; did you mean "stream"?',
    );
  });

  it('names a bad duration and what a valid one looks like', async () => {
    const [e] = await errorsOf(
      `receivers:\n  selftelemetry: { collection_interval: 10 seconds }\nexporters: { stdout: {} }\n${PIPELINE}`,
    );
    expect(e?.code).toBe('TRB_CONFIG_BAD_DURATION');
    expect(e?.source).toMatchObject({
      line: 2,
      column: 41,
      path: 'receivers.selftelemetry.collection_interval',
    });
    expect(e?.message).toContain('"10s"');
  });

  it('refuses a zero interval, which would collect on every tick', async () => {
    const [e] = await errorsOf(
      `receivers:\n  selftelemetry: { collection_interval: 0 }\nexporters: { stdout: {} }\n${PIPELINE}`,
    );
    expect(e?.format()).toContain(
      'TRB_CONFIG_BAD_DURATION receivers.selftelemetry.collection_interval: an interval must be greater than 0',
    );
  });

  it('names an unknown component type with a suggestion', async () => {
    const [e] = await errorsOf(
      `receivers: { selftelemetry: }\nexporters: { stdout: {}, stdoot/x: {} }\n${PIPELINE}`,
    );
    expect(e?.format()).toMatch(
      /^\/cfg\/config.yaml:2:26: TRB_CONFIG_UNKNOWN_TYPE exporters.stdoot\/x: unknown exporter type "stdoot"; did you mean "stdout"\?$/,
    );
  });

  it('names an enum value that is not allowed, listing the valid ones', async () => {
    const [e] = await errorsOf(
      `receivers: { selftelemetry: }\nexporters: { stdout: { stream: stdrr } }\n${PIPELINE}`,
    );
    expect(e?.code).toBe('TRB_CONFIG_INVALID_VALUE');
    expect(e?.hint).toBe('did you mean "stderr"?');
  });

  it('rejects a signal the component does not support', async () => {
    const [e] = await errorsOf(`receivers: { selftelemetry: }
exporters: { stdout: {} }
service:
  pipelines:
    traces:
      receivers: [selftelemetry]
      exporters: [stdout]
`);
    expect(e?.format()).toContain(
      'TRB_CONFIG_UNSUPPORTED_SIGNAL service.pipelines.traces.receivers[0]: receiver "selftelemetry" does not support traces; it supports metrics',
    );
  });

  it('reports every mistake at once, not one per run', async () => {
    const errors = await errorsOf(`receivers: { selftelemetry: { every: 1s } }
exporters: { stdout: { stream: nowhere } }
service:
  pipelines:
    metrics: { receivers: [selftelemetry], processors: [batch], exporters: [stdout] }
    logz: { receivers: [selftelemetry], exporters: [stdout] }
`);
    expect(errors.map((e) => e.code).sort()).toEqual([
      'TRB_CONFIG_BAD_PIPELINE_ID',
      'TRB_CONFIG_INVALID_VALUE',
      'TRB_CONFIG_UNKNOWN_COMPONENT',
      'TRB_CONFIG_UNKNOWN_KEY',
    ]);
    expect(errors.find((e) => e.code === 'TRB_CONFIG_UNKNOWN_COMPONENT')?.message).toBe(
      'unknown processor "batch"',
    );
    expect(errors.find((e) => e.code === 'TRB_CONFIG_BAD_PIPELINE_ID')?.hint).toContain(
      'did you mean "logs"?',
    );
  });

  it('an unset environment variable is one error and does not hide the other mistakes', async () => {
    const errors =
      await errorsOf(`receivers: { selftelemetry: { collection_interval: "\${env:TRB_UNSET_INTERVAL}" } }
exporters: { stdout: { strem: stderr } }
${PIPELINE}`);
    // Not also "invalid duration ${env:...}": the value never expanded.
    expect(errors.map((e) => e.code).sort()).toEqual(['TRB_CONFIG_ENV_UNDEFINED', 'TRB_CONFIG_UNKNOWN_KEY']);
  });

  it('names a plugin module that does not exist', async () => {
    const [e] = await errorsOf(`plugins: [./no-such-plugin.js]\n${PIPELINE}`);
    expect(e?.format()).toBe(
      '/cfg/config.yaml:1:11: TRB_PLUGIN_NOT_FOUND plugins[0]: cannot find plugin module "./no-such-plugin.js" (looked from /cfg); give a path relative to this config file (./my-plugin.js) or an installed package name',
    );
  });

  it('names the loop when forward connectors join pipelines into a cycle', async () => {
    const [e] = await errorsOf(`receivers: { selftelemetry: }
exporters: { stdout: {} }
connectors: { forward/ab: {}, forward/ba: {} }
service:
  pipelines:
    metrics/a: { receivers: [selftelemetry, forward/ba], exporters: [forward/ab] }
    metrics/b: { receivers: [forward/ab], exporters: [stdout, forward/ba] }
`);
    expect(e?.code).toBe('TRB_CONFIG_CYCLE');
    expect(e?.message).toMatch(
      /pipelines form a cycle: (metrics\/a -> forward\/ab -> metrics\/b -> forward\/ba -> metrics\/a|metrics\/b -> forward\/ba -> metrics\/a -> forward\/ab -> metrics\/b)/,
    );
  });

  it('rejects a connector that feeds nothing', async () => {
    const [e] = await errorsOf(`receivers: { selftelemetry: }
exporters: { stdout: {} }
connectors: { forward: {} }
service:
  pipelines:
    metrics: { receivers: [selftelemetry], exporters: [stdout, forward] }
`);
    expect(e?.code).toBe('TRB_CONFIG_CONNECTOR_UNUSED');
  });
});
