import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfigText } from '../../../core/config/load.js';
import { TributaryError, TributaryErrors } from '../../../core/errors.js';
import type { ConfigSite } from '../../../core/plugin.js';
import { Registry } from '../../../core/registry.js';
import { definePlugin, Engine } from '../../../main.js';

/** An exporter whose `prepare` reads what its `files` name, as the alertrules components do. */
function filesExporter(seen: ConfigSite[]) {
  return definePlugin({
    kind: 'exporter',
    type: 'files',
    stability: { metrics: 'development' },
    config: z.strictObject({ files: z.array(z.string()).default([]) }),
    prepare: (config, site) => {
      seen.push(site);
      const missing = config.files.findIndex((f) => f.startsWith('missing'));
      if (missing >= 0)
        throw new TributaryError(
          'TRB_TEST_MISSING',
          `no such file ${config.files[missing]}`,
          site.locate(['files', missing]),
        );
      return { files: config.files.map((f) => `${site.baseDir}/${f}`) };
    },
    create: { metrics: () => ({ start: async () => {}, shutdown: async () => {}, consume: async () => {} }) },
  });
}

const config = (files: string) => `receivers: { selftelemetry: }
exporters:
  files: { files: ${files} }
service:
  pipelines:
    metrics: { receivers: [selftelemetry], exporters: [files] }
`;

describe("a plugin's prepare step", () => {
  it('runs on the validated config, with the config file directory, and its result is the config', async () => {
    const seen: ConfigSite[] = [];
    const engine = new Engine(parseConfigText(config('[a.rules, b.rules]'), '/etc/tributary/config.yaml'));
    engine.use(filesExporter(seen));
    const { config: valid } = await engine.validate();
    expect(valid.components.exporters.get('files')?.config).toEqual({
      files: ['/etc/tributary/a.rules', '/etc/tributary/b.rules'],
    });
    expect(seen.map((s) => [s.id, s.baseDir])).toEqual([['files', '/etc/tributary']]);
  });

  it('reports what it throws with the config file position, beside the config’s other mistakes', async () => {
    const engine = new Engine(
      parseConfigText(
        `${config('[a.rules, missing.rules]')}processors: { batch: { timeout: 5 } }\n`,
        '/c/config.yaml',
      ),
    );
    engine.use(filesExporter([]));
    const error = await engine.validate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TributaryErrors);
    expect((error as TributaryErrors).errors.map((e) => e.format())).toEqual([
      expect.stringMatching(/^\/c\/config\.yaml:7:\d+: TRB_CONFIG_BAD_DURATION processors\.batch\.timeout/),
      '/c/config.yaml:3:29: TRB_TEST_MISSING exporters.files.files[1]: no such file missing.rules',
    ]);
  });

  it('is not run on a config its schema refused', async () => {
    const seen: ConfigSite[] = [];
    const engine = new Engine(parseConfigText(config('nope'), '/c/config.yaml'));
    engine.use(filesExporter(seen));
    await expect(engine.validate()).rejects.toBeInstanceOf(TributaryErrors);
    expect(seen).toEqual([]);
  });

  it('must be a function: the registry refuses anything else', () => {
    const plugin = { ...filesExporter([]), prepare: 'yes' } as unknown as Parameters<Registry['register']>[0];
    expect(() => new Registry().register(plugin)).toThrow(
      expect.objectContaining({
        code: 'TRB_PLUGIN_INVALID',
        message: 'plugin engine.use() "files" declares prepare as a string, not a function of its config',
      }),
    );
  });
});
