import { dirname } from 'node:path';
import type { ComponentKind } from '../component.js';
import { closest, didYouMean, isUserError, TributaryError, TributaryErrors } from '../errors.js';
import type { PluginDefinition } from '../plugin.js';
import type { Registry } from '../registry.js';
import { isSignal, type Signal } from '../signals.js';
import { parseKeepingText } from './env-text.js';
import { issuesToErrors } from './issues.js';
import type { LoadedConfig } from './load.js';
import { loadPluginModules } from './plugins.js';
import { SECTIONS, type Section, type TopLevel, TopLevelConfig } from './schema.js';
import { asMap, type Parts, readableParts, Unread } from './unread.js';

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

export interface CheckedConfig {
  /** Typed, defaults applied; only whole when `errors` is empty. */
  config: ValidConfig;
  /** Every mistake found, each located. */
  errors: TributaryError[];
  /** Every pipeline was read and names only defined components: compiling the graph can find more. */
  wired: boolean;
}

/**
 * Checks a loaded config whole and returns it typed, defaults applied, with every mistake found, each
 * located and none a consequence of another. Loads the `plugins:` modules into the registry first.
 */
export async function validateConfig(source: LoadedConfig, registry: Registry): Promise<CheckedConfig> {
  const errors: TributaryError[] = [...source.errors];
  const top = parseKeepingText(TopLevelConfig, source.value, source, []);
  if (!top.success) errors.push(...issuesToErrors(top.error.issues, TopLevelConfig, source, []));
  const parts = top.success ? top.data : readableParts(source.value);
  const pluginErrors = await loadPluginModules(parts.plugins, source, registry);
  errors.push(...pluginErrors);

  const components = {} as ValidConfig['components'];
  const pluginsMissing =
    pluginErrors.length > 0 || parts.plugins.some((_, i) => source.unexpanded(['plugins', i]));
  const unread = new Unread(source.value, pluginsMissing);
  for (const [section, kind] of Object.entries(SECTIONS) as [Section, ComponentKind][]) {
    components[section] = new Map();
    // As written, not as the top level read them: each component's own schema decides what its values are.
    for (const [id, raw] of Object.entries(asMap(source.value[section]))) {
      const component = validateComponent(source, registry, section, kind, id, raw, errors, unread);
      if (component) components[section].set(id, await prepareComponent(source, section, component, errors));
    }
  }
  const resolved = checkReferences(source, registry, parts.service, components, errors, unread);
  return {
    config: { source, components, service: parts.service as TopLevel['service'] },
    errors,
    wired: top.success && resolved,
  };
}

function validateComponent(
  source: LoadedConfig,
  registry: Registry,
  section: Section,
  kind: ComponentKind,
  id: string,
  raw: unknown,
  errors: TributaryError[],
  unread: Unread,
): ComponentConfig | undefined {
  const type = COMPONENT_ID.exec(id)?.[1];
  if (!type) {
    unread.add(section, id);
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
    unread.add(section, id);
    // The type may be one the plugin module that failed to load would have registered.
    if (unread.pluginsMissing) return;
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
  const parsed = parseKeepingText(plugin.config, raw ?? {}, source, [section, id]);
  // A component with a bad config is still defined: pipelines naming it get no second error.
  if (!parsed.success)
    errors.push(...issuesToErrors(parsed.error.issues, plugin.config, source, [section, id]));
  return { id, kind, type, plugin, config: parsed.data };
}

/** Runs the plugin's `prepare` on a valid config: what the config names outside itself is checked too. */
async function prepareComponent(
  source: LoadedConfig,
  section: Section,
  component: ComponentConfig,
  errors: TributaryError[],
): Promise<ComponentConfig> {
  const { prepare } = component.plugin;
  if (!prepare || component.config === undefined) return component;
  const { id } = component;
  const written = source.locate([section, id]).file;
  const site = {
    id,
    baseDir: written ? dirname(written) : process.cwd(),
    locate: (path: readonly (string | number)[]) => source.locate([section, id, ...path]),
  };
  try {
    return { ...component, config: await prepare(component.config, site) };
  } catch (err) {
    if (!isUserError(err)) throw err;
    errors.push(...(err instanceof TributaryErrors ? err.errors : [err]));
    return component;
  }
}

/** Checks what `service` names; false when something it names is not defined. */
function checkReferences(
  source: LoadedConfig,
  registry: Registry,
  service: Parts['service'],
  components: ValidConfig['components'],
  errors: TributaryError[],
  unread: Unread,
): boolean {
  let resolved = true;
  const check = (path: (string | number)[], id: string, sections: Section[], signal?: Signal) => {
    const found = sections.map((s) => components[s].get(id)).find(Boolean);
    const section = sections[0] as Section;
    if (!found) {
      resolved = false;
      const defined = sections.flatMap((s) => [...components[s].keys()]);
      const typo = closest(id, defined) !== undefined;
      if (source.unexpanded(path) || (!typo && unread.mayDefine(sections, id))) return;
      const or = sections.length > 1 ? ` (or under ${sections.slice(1).join(', ')})` : '';
      const hint =
        (typo ? didYouMean(id, defined) : typeHint(id, section, registry)) ??
        didYouMean(id, defined) ??
        `define it, e.g. ${section}: { ${id}: {} }${or}`;
      errors.push(
        new TributaryError(
          'TRB_CONFIG_UNKNOWN_COMPONENT',
          `unknown ${SECTIONS[section]} "${id}"`,
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
      resolved = false;
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
  return resolved;
}

/** For an id close to no defined one: how to define it, or the plugin type it may have meant. */
function typeHint(id: string, section: Section, registry: Registry): string | undefined {
  const kind = SECTIONS[section];
  const [type = id] = id.split('/');
  const match = closest(
    type,
    registry.list(kind).map((p) => p.type),
  );
  if (match === undefined) return undefined;
  const define = `define it, e.g. ${section}: { ${match === type ? id : match}: {} }`;
  return match === type ? define : `did you mean the ${kind} type "${match}"? ${define}`;
}
