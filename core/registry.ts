import semver from 'semver';
import type { ComponentKind } from './component.js';
import { type DependencyContainer, container as rootContainer } from './container.js';
import { didYouMean, TributaryError } from './errors.js';
import { CAPABILITIES, type PluginDefinition } from './plugin.js';
import { isSignal } from './signals.js';
import { ENGINE_VERSION } from './version.js';

const KINDS: readonly ComponentKind[] = ['receiver', 'processor', 'exporter', 'connector', 'extension'];
const TYPE = /^[a-z][a-z0-9_]*$/;

/**
 * The plugins an engine knows, held in a tsyringe container (token `plugin:<kind>:<type>`) that is also
 * the parent of every component's own container, so services a plugin registers reach its components.
 */
export class Registry {
  readonly container: DependencyContainer;
  private readonly tokens: string[] = [];

  constructor(parent: DependencyContainer = rootContainer) {
    this.container = parent.createChildContainer();
  }

  /** Adds a plugin after checking its shape and the engine versions it supports. */
  register(plugin: PluginDefinition, origin = 'engine.use()'): void {
    checkPlugin(plugin, origin);
    const token = `plugin:${plugin.kind}:${plugin.type}`;
    // The same module loaded again (validate() then start()) registers nothing new.
    if (this.container.isRegistered(token) && this.container.resolve(token) === plugin) return;
    if (this.container.isRegistered(token)) {
      throw new TributaryError(
        'TRB_PLUGIN_DUPLICATE',
        `a ${plugin.kind} of type "${plugin.type}" is already registered`,
        { path: origin },
        'give the plugin another type name, or load it once',
      );
    }
    this.container.register(token, { useValue: plugin });
    this.tokens.push(token);
  }

  get(kind: ComponentKind, type: string): PluginDefinition | undefined {
    const token = `plugin:${kind}:${type}`;
    return this.container.isRegistered(token) ? this.container.resolve<PluginDefinition>(token) : undefined;
  }

  /** Registered plugins, in registration order, optionally of one kind. */
  list(kind?: ComponentKind): PluginDefinition[] {
    const all = this.tokens.map((t) => this.container.resolve<PluginDefinition>(t));
    return kind ? all.filter((p) => p.kind === kind) : all;
  }
}

function checkPlugin(plugin: PluginDefinition, origin: string): void {
  const invalid = (what: string) =>
    new TributaryError(
      'TRB_PLUGIN_INVALID',
      `plugin ${origin} ${what}`,
      { path: origin },
      'export definePlugin({ kind, type, stability, config, create })',
    );
  if (!plugin || typeof plugin !== 'object') throw invalid('is not a plugin definition');
  if (!KINDS.includes(plugin.kind))
    throw invalid(`has kind ${JSON.stringify(plugin.kind)}; valid: ${KINDS.join(', ')}`);
  if (typeof plugin.type !== 'string' || !TYPE.test(plugin.type)) {
    throw invalid(`has type ${JSON.stringify(plugin.type)}; a type is lower case letters, digits and _`);
  }
  const schema = plugin.config as { safeParse?: unknown } | undefined;
  if (typeof schema?.safeParse !== 'function') throw invalid(`"${plugin.type}" has no zod schema in config`);
  if (plugin.kind === 'extension') {
    if (typeof plugin.create !== 'function') throw invalid(`"${plugin.type}" has no create function`);
  } else {
    const routes = Object.entries(plugin.create ?? {});
    if (!routes.length) throw invalid(`"${plugin.type}" creates nothing: give create a function per signal`);
    for (const [route, fn] of routes) {
      const ok =
        plugin.kind === 'connector'
          ? route.split('->').every(isSignal) && route.includes('->')
          : isSignal(route);
      if (!ok || typeof fn !== 'function')
        throw invalid(`"${plugin.type}" has an invalid create entry "${route}"`);
    }
  }
  for (const [name, value] of Object.entries(plugin.capabilities ?? {})) {
    if (!(CAPABILITIES as readonly string[]).includes(name))
      throw invalid(
        `"${plugin.type}" declares an unknown capability "${name}"; ${didYouMean(name, CAPABILITIES)}`,
      );
    if (typeof value !== 'function')
      throw invalid(
        `"${plugin.type}" declares capability ${name} as a ${typeof value}, not a function of its config`,
      );
  }
  if (plugin.prepare !== undefined && typeof plugin.prepare !== 'function')
    throw invalid(
      `"${plugin.type}" declares prepare as a ${typeof plugin.prepare}, not a function of its config`,
    );
  if (plugin.engine !== undefined) {
    if (!semver.validRange(plugin.engine))
      throw invalid(
        `"${plugin.type}" declares engine range ${JSON.stringify(plugin.engine)}, which is not a semver range`,
      );
    if (!semver.satisfies(ENGINE_VERSION, plugin.engine, { includePrerelease: true })) {
      throw new TributaryError(
        'TRB_PLUGIN_ENGINE_MISMATCH',
        `${plugin.kind} plugin "${plugin.type}" supports tributary ${plugin.engine}, but this is tributary ${ENGINE_VERSION}`,
        { path: origin },
        'install a version of the plugin made for this engine',
      );
    }
  }
}
