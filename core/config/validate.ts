import type { z } from 'zod';
import type { ComponentKind } from '../component.js';
import { closest, didYouMean, TributaryError } from '../errors.js';
import type { PluginDefinition } from '../plugin.js';
import type { Registry } from '../registry.js';
import { isSignal, type Signal } from '../signals.js';
import { issuesToErrors } from './issues.js';
import type { ConfigPath, LoadedConfig } from './load.js';
import { loadPluginModules } from './plugins.js';
import { Pipeline, SECTIONS, type Section, type TopLevel, TopLevelConfig } from './schema.js';

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
    for (const [id, raw] of Object.entries(parts[section])) {
      const component = validateComponent(source, registry, section, kind, id, raw, errors, unread);
      if (component) components[section].set(id, component);
    }
  }
  const resolved = checkReferences(source, parts.service, components, errors, unread);
  return {
    config: { source, components, service: parts.service as TopLevel['service'] },
    errors,
    wired: top.success && resolved,
  };
}

/**
 * Parses `value`. A `${env:...}` value that took a YAML type (`KEY=0123` read as 123) gets its text back
 * wherever the schema takes text there (a header, a password), as the Collector gives text to a string.
 */
function parseKeepingText<T extends z.ZodType>(
  schema: T,
  value: unknown,
  source: LoadedConfig,
  prefix: ConfigPath,
): z.ZodSafeParseResult<z.output<T>> {
  let result = schema.safeParse(value);
  for (const { path, text } of source.envText.values()) {
    if (!startsWith(path, prefix)) continue;
    const at = path.slice(prefix.length);
    const withText = withValueAt(value, at, text);
    const trial = schema.safeParse(withText);
    const refused = trial.error?.issues.some((i) => startsWith(i.path as ConfigPath, at));
    if (trial.success || (!result.success && !refused)) [value, result] = [withText, trial];
  }
  return result;
}

const startsWith = (path: ConfigPath, prefix: ConfigPath) => prefix.every((key, i) => path[i] === key);

/** A copy of `value` with `replacement` at `path`. */
function withValueAt(value: unknown, path: ConfigPath, replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head] = withValueAt(copy[head], rest, replacement);
  return copy;
}

type Parts = Pick<TopLevel, 'plugins' | Section> & {
  service: Pick<TopLevel['service'], 'extensions' | 'pipelines'>;
};

/** What of a top level with mistakes can still be checked: each section, plugin list and pipeline that reads on its own. */
function readableParts(value: Record<string, unknown>): Parts {
  const part = <T>(schema: z.ZodType<T>, v: unknown, fallback: T): T => {
    const result = schema.safeParse(v);
    return result.success ? result.data : fallback;
  };
  const shape = TopLevelConfig.shape;
  const service = asMap(value.service);
  const pipelines = Object.entries(asMap(service.pipelines)).flatMap(([id, p]) => {
    const result = Pipeline.safeParse(p);
    return result.success ? [[id, result.data] as const] : [];
  });
  return {
    plugins: part(shape.plugins, value.plugins, []),
    extensions: part(shape.extensions, value.extensions, {}),
    receivers: part(shape.receivers, value.receivers, {}),
    processors: part(shape.processors, value.processors, {}),
    exporters: part(shape.exporters, value.exporters, {}),
    connectors: part(shape.connectors, value.connectors, {}),
    service: {
      extensions: part(shape.service.shape.extensions, service.extensions, []),
      pipelines: Object.fromEntries(pipelines),
    },
  };
}

const asMap = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * Definitions the check could not read: a misspelled section (`exporter:`), a component of an unknown
 * type (`batchh`), or any type when a plugin module failed to load. A pipeline naming one of these,
 * or a near miss of one, gets no second error.
 */
class Unread {
  private readonly sections = new Set<string>();
  private readonly ids = new Map<string, string[]>();

  constructor(
    value: Record<string, unknown>,
    readonly pluginsMissing: boolean,
  ) {
    for (const key of Object.keys(value)) {
      if (key in SECTIONS) {
        if (!TopLevelConfig.shape[key as Section].safeParse(value[key]).success) this.sections.add(key);
      } else if (!(key in TopLevelConfig.shape)) {
        const section = closest(key, Object.keys(SECTIONS));
        if (section) this.sections.add(section);
      }
    }
  }

  add(section: Section, id: string): void {
    this.ids.set(section, [...(this.ids.get(section) ?? []), id]);
  }

  mayDefine(sections: readonly Section[], id: string): boolean {
    return sections.some((s) => {
      const ids = this.ids.get(s) ?? [];
      return this.sections.has(s) || ids.includes(id) || closest(id, ids) !== undefined;
    });
  }
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

/** Checks what `service` names; false when something it names is not defined. */
function checkReferences(
  source: LoadedConfig,
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
      const hint = didYouMean(id, defined) ?? `define it, e.g. ${section}: { ${id}: {} }${or}`;
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
