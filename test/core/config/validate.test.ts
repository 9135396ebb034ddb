import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfigText } from '../../../core/config/load.js';
import { TributaryError, TributaryErrors } from '../../../core/errors.js';
import { createLogger } from '../../../core/telemetry/logger.js';
import { definePlugin, Engine } from '../../../main.js';

async function errorsOf(
  yaml: string,
  env: NodeJS.ProcessEnv = {},
  plugins: Parameters<Engine['use']>[0][] = [],
): Promise<TributaryError[]> {
  try {
    const engine = new Engine(parseConfigText(yaml, '/cfg/config.yaml', env));
    for (const plugin of plugins) engine.use(plugin);
    await engine.validate();
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

  it('points an exporter that is close to no defined one at the plugin type it may have meant', async () => {
    const pipeline = (exporter: string) => `receivers: { selftelemetry: }
exporters: { prometheus: {} }
service:
  pipelines:
    metrics:
      receivers: [selftelemetry]
      exporters: [${exporter}]
`;
    const hints = await Promise.all(
      ['stdoutt', 'stdout', 'file/audit', 'nosuch'].map(
        async (id) => (await errorsOf(pipeline(id)))[0]?.hint,
      ),
    );
    expect(hints).toEqual([
      'did you mean the exporter type "stdout"? define it, e.g. exporters: { stdout: {} }',
      'define it, e.g. exporters: { stdout: {} }',
      'define it, e.g. exporters: { file/audit: {} }',
      'valid: "prometheus"',
    ]);
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

  it('a mistake at the top level does not hide the mistakes inside components', async () => {
    const errors = await errorsOf(`receivers: { selftelemetry: { every: 1s } }
exporters: { stdout: { strem: stderr } }
service:
  telemetry: { logs: { level: verbose } }
  pipelines:
    metrics: { receivers: [selftelemetry], exporters: [stdout] }
`);
    expect(errors.map((e) => e.format())).toEqual([
      '/cfg/config.yaml:4:31: TRB_CONFIG_INVALID_VALUE service.telemetry.logs.level: invalid value "verbose"; valid: "trace", "debug", "info", "warn", "error", "fatal", "silent"',
      '/cfg/config.yaml:1:31: TRB_CONFIG_UNKNOWN_KEY receivers.selftelemetry.every: unknown key "every"; valid: "collection_interval"',
      '/cfg/config.yaml:2:24: TRB_CONFIG_UNKNOWN_KEY exporters.stdout.strem: unknown key "strem"; did you mean "stream"?',
    ]);
  });

  it('a pipeline with a missing list still has its id checked', async () => {
    const errors = await errorsOf(`receivers: { selftelemetry: }
exporters: { stdout: {} }
service:
  pipelines:
    metrics: { receivers: [selftelemetry], exporters: [stdout] }
    tracez: { receivers: [selftelemetry] }
`);
    expect(errors.map((e) => `${e.code} ${e.source.path}`)).toEqual([
      'TRB_CONFIG_INVALID_TYPE service.pipelines.tracez.exporters',
      'TRB_CONFIG_BAD_PIPELINE_ID service.pipelines.tracez',
    ]);
  });

  it('a graph mistake is reported with the mistakes inside components', async () => {
    const errors = await errorsOf(`receivers: { selftelemetry: }
exporters: { stdout: { strem: stderr } }
connectors: { forward: {} }
service:
  pipelines:
    metrics: { receivers: [selftelemetry], exporters: [stdout, forward] }
`);
    expect(errors.map((e) => e.code)).toEqual(['TRB_CONFIG_UNKNOWN_KEY', 'TRB_CONFIG_CONNECTOR_UNUSED']);
  });

  describe('no error that only follows from another', () => {
    it('a component of an unknown type is one error, whether pipelines name it or what it was meant to be', async () => {
      for (const named of ['batchh', 'batch']) {
        const errors = await errorsOf(`receivers: { selftelemetry: }
processors: { batchh: {} }
exporters: { stdout: {} }
service:
  pipelines:
    metrics: { receivers: [selftelemetry], processors: [${named}], exporters: [stdout] }
`);
        expect(errors.map((e) => e.format())).toEqual([
          '/cfg/config.yaml:2:15: TRB_CONFIG_UNKNOWN_TYPE processors.batchh: unknown processor type "batchh"; did you mean "batch"?',
        ]);
      }
    });

    it('a near miss of a defined component is still named, next to one of unknown type', async () => {
      const errors = await errorsOf(`receivers: { selftelemetry: }
processors: { batch: {}, batchh: {} }
exporters: { stdout: {} }
service:
  pipelines:
    metrics: { receivers: [selftelemetry], processors: [batc], exporters: [stdout] }
`);
      expect(errors.map((e) => e.format())).toEqual([
        '/cfg/config.yaml:2:26: TRB_CONFIG_UNKNOWN_TYPE processors.batchh: unknown processor type "batchh"; did you mean "batch"?',
        '/cfg/config.yaml:6:57: TRB_CONFIG_UNKNOWN_COMPONENT service.pipelines.metrics.processors[0]: unknown processor "batc"; did you mean "batch"?',
      ]);
    });

    it.each([
      ['exporter', 'exporters'],
      ['reciever', 'receivers'], // two letters swapped
    ])(
      'a misspelled section (%s) is one error, not one per component the pipelines name',
      async (typo, section) => {
        const sections = `receivers: { selftelemetry: }
exporters: { stdout: {} }`.replace(section, typo);
        const errors = await errorsOf(`${sections}
service:
  pipelines:
    metrics: { receivers: [selftelemetry], exporters: [stdout] }
`);
        const line = section === 'receivers' ? 1 : 2;
        expect(errors.map((e) => e.format())).toEqual([
          `/cfg/config.yaml:${line}:1: TRB_CONFIG_UNKNOWN_KEY ${typo}: unknown key "${typo}"; did you mean "${section}"?`,
        ]);
      },
    );

    it('an unset variable for a number is not also a wrong type', async () => {
      const errors = await errorsOf(`receivers: { selftelemetry: }
processors: { memory_limiter: { limit_mib: \${env:TRB_UNSET_LIMIT} } }
exporters: { stdout: {} }
service:
  pipelines:
    metrics: { receivers: [selftelemetry], processors: [memory_limiter], exporters: [stdout] }
`);
      expect(errors.map((e) => e.format())).toEqual([
        '/cfg/config.yaml:2:44: TRB_CONFIG_ENV_UNDEFINED processors.memory_limiter.limit_mib: environment variable TRB_UNSET_LIMIT is not set; set it, or give a default: ${env:TRB_UNSET_LIMIT:-value}',
      ]);
    });
  });

  it('an unset variable naming a component or a plugin module is one error', async () => {
    const errors = await errorsOf(`plugins: [\${env:TRB_UNSET_PLUGIN}]
receivers: { selftelemetry: }
exporters: { stdout: {}, from_plugin: {} }
service:
  pipelines:
    metrics: { receivers: [selftelemetry], exporters: [stdout, \${env:TRB_UNSET_EXPORTER}] }
`);
    expect(errors.map((e) => `${e.code} ${e.source.path}`)).toEqual([
      'TRB_CONFIG_ENV_UNDEFINED plugins[0]',
      'TRB_CONFIG_ENV_UNDEFINED service.pipelines.metrics.exporters[1]',
    ]);
  });

  it('says how to define a component nothing defines, with an example', async () => {
    const [e] = await errorsOf(`receivers: { selftelemetry: }
exporters: { stdout: {} }
service:
  pipelines:
    metrics: { receivers: [selftelemetry], processors: [batch], exporters: [stdout] }
`);
    expect(e?.format()).toBe(
      '/cfg/config.yaml:5:57: TRB_CONFIG_UNKNOWN_COMPONENT service.pipelines.metrics.processors[0]: unknown processor "batch"; define it, e.g. processors: { batch: {} }',
    );
  });

  it('a value that fits none of the types a key takes is told which ones it takes', async () => {
    const errors = await errorsOf(`receivers:
  mcp: { resource: { team: [a, b] } }
processors: { batch: { timeout: true } }
exporters:
  elasticsearch: { auth: { username: elastic, password: true } }
service:
  pipelines:
    logs: { receivers: [mcp], processors: [batch], exporters: [elasticsearch] }
`);
    expect(errors.map((e) => e.format())).toEqual([
      '/cfg/config.yaml:2:22: TRB_CONFIG_INVALID_TYPE receivers.mcp.resource.team: expected string, number or boolean, got a list',
      '/cfg/config.yaml:3:33: TRB_CONFIG_INVALID_TYPE processors.batch.timeout: expected string or number, got boolean true',
      '/cfg/config.yaml:5:57: TRB_CONFIG_INVALID_TYPE exporters.elasticsearch.auth.password: expected string or number, got boolean [REDACTED]',
    ]);
  });

  it('a bare number for a duration gets the hint "10" gets: which unit to add', async () => {
    const hints = [];
    for (const value of ['10', '"10"']) {
      const [e] = await errorsOf(
        `receivers:\n  selftelemetry: { collection_interval: ${value} }\nexporters: { stdout: {} }\n${PIPELINE}`,
      );
      expect(e?.code).toBe('TRB_CONFIG_BAD_DURATION');
      expect(e?.source.path).toBe('receivers.selftelemetry.collection_interval');
      hints.push(e?.message.split(': ')[1]);
    }
    expect(hints).toEqual(['add a unit, e.g. "10s" or "10ms"', 'add a unit, e.g. "10s" or "10ms"']);
  });
});

describe('secrets in config errors', () => {
  /** A third-party exporter whose own check quotes the value it rejects, as plugins do. */
  const vault = definePlugin({
    kind: 'exporter',
    type: 'vault',
    stability: { logs: 'alpha' },
    config: z.strictObject({
      token: z.string().refine((v) => v.startsWith('tok_'), { error: (i) => `token ${i.input} lacks tok_` }),
      password: z.string().optional(),
    }),
    create: { logs: () => ({ start: async () => {}, shutdown: async () => {}, consume: async () => {} }) },
  });
  const config = (vaultKeys: string, headers = '{}') => `receivers: { selftelemetry: }
exporters:
  vault: ${vaultKeys}
  otlp: { endpoint: http://127.0.0.1:4318, headers: ${headers} }
service:
  pipelines:
    metrics: { receivers: [selftelemetry], exporters: [otlp] }
`;

  it('a wrong-typed value at a password, token or header path is not quoted', async () => {
    const errors = await errorsOf(
      config('{ token: 271828, password: 314159 }', '{ x-api-key: [161803] }'),
      {},
      [vault],
    );
    expect(errors.map((e) => e.format())).toEqual([
      '/cfg/config.yaml:3:19: TRB_CONFIG_INVALID_TYPE exporters.vault.token: expected string, got number [REDACTED]',
      '/cfg/config.yaml:3:37: TRB_CONFIG_INVALID_TYPE exporters.vault.password: expected string, got number [REDACTED]',
      '/cfg/config.yaml:4:55: TRB_CONFIG_INVALID_TYPE exporters.otlp.headers.x-api-key: expected string, got a list',
    ]);
  });

  it("a plugin's own message quoting a secret is redacted", async () => {
    const [e] = await errorsOf(config('{ token: hunter2 }'), {}, [vault]);
    expect(e?.format()).toBe(
      '/cfg/config.yaml:3:19: TRB_CONFIG_INVALID_VALUE exporters.vault.token: token [REDACTED] lacks tok_',
    );
  });

  it("a secret's value written again at a path that is not secret is not quoted there either", async () => {
    const errors = await errorsOf(
      config('{ token: tok_0123 }', '{ x-api-key: ${env:KEY} }').replace(
        'headers:',
        'compression: ${env:KEY}, headers:',
      ),
      { KEY: 'k3y-271828' },
      [vault],
    );
    expect(errors.map((e) => e.format())).toEqual([
      '/cfg/config.yaml:4:57: TRB_CONFIG_INVALID_VALUE exporters.otlp.compression: invalid value "[REDACTED]"; valid: "gzip", "none"',
    ]);
  });

  it('a value from ${env:...} that reads as a number stays text where the key wants text', async () => {
    const { config: valid } = await new Engine(
      parseConfigText(config('{ token: ${env:TOKEN} }', '{ x-api-key: ${env:KEY} }'), '/c.yaml', {
        KEY: '271828',
        TOKEN: 'tok_0123',
      }),
    )
      .use(vault)
      .validate();
    expect(valid.components.exporters.get('otlp')?.config).toMatchObject({
      headers: { 'x-api-key': '271828' },
    });
    expect(valid.components.exporters.get('vault')?.config).toEqual({ token: 'tok_0123' });
    // Where a number would do as well (elasticsearch reads a numeric password as text), the text
    // wins: "0123" is not 123.
    const { config: zero } = await new Engine(
      parseConfigText(
        `receivers: { mcp: }
exporters:
  elasticsearch: { endpoints: [http://127.0.0.1:9200], auth: { username: elastic, password: \${env:PW} } }
service: { pipelines: { logs: { receivers: [mcp], exporters: [elasticsearch] } } }
`,
        '/c.yaml',
        { PW: '0123' },
      ),
    ).validate();
    expect(zero.components.exporters.get('elasticsearch')?.config).toMatchObject({
      auth: { username: 'elastic', password: '0123' },
    });
  });

  it('a value from ${env:...} that reads as a number is one where the key wants a number', async () => {
    const { config: valid } = await new Engine(
      parseConfigText(
        `receivers: { selftelemetry: }
processors: { memory_limiter: { limit_mib: \${env:LIMIT}, check_interval: 1s } }
exporters: { stdout: {} }
service:
  pipelines:
    metrics: { receivers: [selftelemetry], processors: [memory_limiter], exporters: [stdout] }
`,
        '/c.yaml',
        { LIMIT: '512' },
      ),
    ).validate();
    expect(valid.components.processors.get('memory_limiter')?.config).toMatchObject({ limit_mib: 512 });
  });

  it("a component's start failure that quotes its config is redacted", async () => {
    const locked = definePlugin({
      kind: 'exporter',
      type: 'locked',
      stability: { metrics: 'alpha' },
      config: z.strictObject({ endpoint: z.string(), token: z.string() }),
      create: {
        metrics: (ctx) => ({
          start: async () => {
            throw new Error(`${ctx.config.endpoint} refused token ${ctx.config.token}`);
          },
          shutdown: async () => {},
          consume: async () => {},
        }),
      },
    });
    const engine = new Engine(
      parseConfigText(
        `receivers: { selftelemetry: }
exporters: { locked: { endpoint: "https://u:pa55@vault.example", token: \${env:TOKEN} } }
service: { pipelines: { metrics: { receivers: [selftelemetry], exporters: [locked] } } }
`,
        '/c.yaml',
        { TOKEN: 'tok_271828' },
      ),
      { logger: createLogger('silent') },
    ).use(locked);
    const failed = await engine.start().catch((err: TributaryError) => err);
    expect((failed as TributaryError).format()).toBe(
      '/c.yaml:2:14: TRB_COMPONENT_START_FAILED exporters.locked: exporter "locked" failed to start: https://u:REDACTED@vault.example/ refused token [REDACTED]; fix its config or free the resource it needs',
    );
  });
});
