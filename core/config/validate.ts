import type { ComponentKind } from '../component.js';
import { didYouMean, TributaryError, TributaryErrors } from '../errors.js';
import type { PluginDefinition } from '../plugin.js';
import type { Registry } from '../registry.js';
import { isSignal, type Signal } from '../signals.js';
import { issuesToErrors } from './issues.js';
import type { LoadedConfig } from './load.js';
import { loadPluginModules } from './plugins.js';
import { SECTIONS, type Section, type TopLevel, TopLevelConfig } from './schema.js';

export interface ComponentConfig {
  id: string;
  kind: ComponentKind;
  type: string;
  plugin: PluginDefinition;
  /** Validated, defaults applied. */
  config: unknown;
}

export interface ValidConfig {
  source: LoadedConfig;
  components: Record<Section, Map<string, ComponentConfig>>;
  service: TopLevel['service'];
}

const COMPONENT_ID = /^([a-z][a-z0-9_]*)(?:\/(.+))?$/;
const PIPELINE_ID = /^([a-z]+)(?:\/(.+))?$/;

export const signalOfPipeline = (id: string) => id.split('/')[0] as Signal;

/**
 * Checks a loaded config whole and returns it typed, defaults applied, or throws TributaryErrors with
 * every mistake found, each located. Loads the `plugins:` modules into the registry first.
 */
export async function validateConfig(source: LoadedConfig, registry: Registry): Promise<ValidConfig> {
  const top = TopLevelConfig.safeParse(source.value);
  if (!top.success) {
    throw new TributaryErrors([
      ...source.errors,
      ...issuesToErrors(top.error.issues, TopLevelConfig, source, []),
    ]);
  }
  const pluginErrors = await loadPluginModules(top.data.plugins, source, registry);
  if (pluginErrors.length) throw new TributaryErrors([...source.errors, ...pluginErrors]);

  const errors: TributaryError[] = [...source.errors];
  const components = {} as ValidConfig['components'];
  for (const [section, kind] of Object.entries(SECTIONS) as [Section, ComponentKind][]) {
    components[section] = new Map();
    for (const [id, raw] of Object.entries(top.data[section])) {
      const component = validateComponent(source, registry, section, kind, id, raw, errors);
      if (component) components[section].set(id, component);
    }
  }
  const { service } = top.data;
  checkReferences(source, service, components, errors);
  if (errors.length) throw new TributaryErrors(errors);
  return { source, components, service };
}

function validateComponent(
  source: LoadedConfig,
  registry: Registry,
  section: Section,
  kind: ComponentKind,
  id: string,
  raw: unknown,
  errors: TributaryError[],
): ComponentConfig | undefined {
  const type = COMPONENT_ID.exec(id)?.[1];
  if (!type) {
    errors.push(
      new TributaryError(
        'TRB_CONFIG_BAD_ID',
        `invalid ${kind} id "${id}"`,
        source.locate([section, id]),
        'an id is type or type/name, e.g. batch or batch/fast',
      ),
    );
    return;
  }
  const plugin = registry.get(kind, type);
  if (!plugin) {
    const known = registry.list(kind).map((p) => p.type);
    errors.push(
      new TributaryError(
        'TRB_CONFIG_UNKNOWN_TYPE',
        `unknown ${kind} type "${type}"`,
        source.locate([section, id]),
        didYouMean(type, known),
      ),
    );
    return;
  }
  const parsed = plugin.config.safeParse(raw ?? {});
  // A component with a bad config is still defined: pipelines naming it get no second error.
  if (!parsed.success)
    errors.push(...issuesToErrors(parsed.error.issues, plugin.config, source, [section, id]));
  return { id, kind, type, plugin, config: parsed.data };
}

function checkReferences(
  source: LoadedConfig,
  service: TopLevel['service'],
  components: ValidConfig['components'],
  errors: TributaryError[],
): void {
  const check = (path: (string | number)[], id: string, sections: Section[], signal?: Signal) => {
    const found = sections.map((s) => components[s].get(id)).find(Boolean);
    const noun = SECTIONS[sections[0] as Section];
    if (!found) {
      const defined = sections.flatMap((s) => [...components[s].keys()]);
      const hint = didYouMean(id, defined) ?? `define it under ${sections.join(' or ')}:`;
      errors.push(
        new TributaryError(
          'TRB_CONFIG_UNKNOWN_COMPONENT',
          `unknown ${noun} "${id}"`,
          source.locate(path),
          hint,
        ),
      );
      return;
    }
    if (signal && found.kind !== 'connector' && found.kind !== 'extension') {
      const supported = Object.keys(found.plugin.create);
      if (!supported.includes(signal)) {
        errors.push(
          new TributaryError(
            'TRB_CONFIG_UNSUPPORTED_SIGNAL',
            `${found.kind} "${id}" does not support ${signal}`,
            source.locate(path),
            `it supports ${supported.join(', ')}`,
          ),
        );
      }
    }
  };
  const unique = (path: (string | number)[], list: string[]) => {
    for (const [i, id] of list.entries()) {
      if (list.indexOf(id) !== i)
        errors.push(
          new TributaryError(
            'TRB_CONFIG_DUPLICATE',
            `"${id}" is listed twice`,
            source.locate([...path, i]),
            'list each component once',
          ),
        );
    }
  };
  unique(['service', 'extensions'], service.extensions);
  for (const [i, id] of service.extensions.entries()) check(['service', 'extensions', i], id, ['extensions']);
  for (const [pipelineId, pipeline] of Object.entries(service.pipelines)) {
    const base = ['service', 'pipelines', pipelineId];
    const signal = PIPELINE_ID.exec(pipelineId)?.[1] ?? '';
    if (!isSignal(signal)) {
      const hint = didYouMean(signal, ['traces', 'metrics', 'logs']);
      errors.push(
        new TributaryError(
          'TRB_CONFIG_BAD_PIPELINE_ID',
          `invalid pipeline id "${pipelineId}"`,
          source.locate(base),
          `a pipeline id is signal or signal/name; ${hint}`,
        ),
      );
      continue;
    }
    const lists = [
      ['receivers', ['receivers', 'connectors']],
      ['processors', ['processors']],
      ['exporters', ['exporters', 'connectors']],
    ] as const;
    for (const [key, sections] of lists) {
      unique([...base, key], pipeline[key]);
      for (const [i, id] of pipeline[key].entries()) check([...base, key, i], id, [...sections], signal);
    }
  }
}
