import type { Meter } from '@opentelemetry/api';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type {
  ComponentKind,
  Connector,
  Consumer,
  Exporter,
  Extension,
  Processor,
  Receiver,
} from './component.js';
import type { DependencyContainer } from './container.js';
import type { Source } from './errors.js';
import type { Signal } from './signals.js';

export type Stability = 'development' | 'alpha' | 'beta' | 'stable' | 'deprecated';

/** Everything a component gets when it is created. It sees nothing else of the engine. */
export interface CreateContext<C = unknown> {
  /** `type` or `type/name`, as written in the config. */
  id: string;
  kind: ComponentKind;
  type: string;
  /** The validated config, defaults applied. */
  config: C;
  /** The engine's logger, bound to this component. */
  logger: Logger;
  /** The meter for the engine's own telemetry. */
  meter: Meter;
  /** A child of the engine's container: register services here, resolve the engine's services. */
  container: DependencyContainer;
  /** For processors: the pipeline this instance belongs to. */
  pipeline?: string;
  /**
   * One value per component id in this engine, made by the first caller: how the instances of one
   * receiver for several signals share a single source (the Collector's sharedcomponent). Embedding
   * APIs reach it with `engine.sharedOf(id)`.
   */
  shared<T>(make: () => T): T;
}

type Create<C, Next, T> = (ctx: CreateContext<C>, next: Next) => T;

/**
 * What a CLI command gets from the distribution it runs in: what its engines are made with
 * (`Engine.fromFile(files, cli)`), so a plugin's command runs the same plugins as `tributary run`.
 */
export interface CliContext {
  /** Every plugin of this distribution. */
  plugins: readonly PluginDefinition[];
  /** The engines' diagnostics logger; by default JSON lines on stderr at the config's level. */
  logger?: Logger;
}

/**
 * What the engine and commands may need to know about a component, declared by its plugin as a
 * function of the validated config: nothing is guessed from a plugin's type name.
 */
export interface Capabilities<C> {
  /**
   * Whether a component with this config writes to this process's stdout. `mcp-proxy` refuses such
   * a config in stdio mode, where stdout carries the MCP stream.
   */
  writesToStdout?: (config: C) => boolean;
}

/** The capabilities a plugin may declare (the registry refuses others). */
export const CAPABILITIES = ['writesToStdout'] as const satisfies readonly (keyof Capabilities<unknown>)[];

/** Where a component's config was written, for a plugin's `prepare`. */
export interface ConfigSite {
  /** The component id. */
  id: string;
  /** The directory of the config file that defines the component: relative paths in it start here. */
  baseDir: string;
  /** Where a value of the component's config was written (`['rule_files', 0]`), for located errors. */
  locate(path: readonly (string | number)[]): Source;
}

export type ConnectorRoute = `${Signal}->${Signal}`;

interface PluginBase<K extends ComponentKind, Schema extends z.ZodType> {
  kind: K;
  /** The name used in config: `batch`, `prometheus`. Lower case letters, digits and `_`. */
  type: string;
  description?: string;
  /** The engine versions this plugin works with, as a semver range (`^0.1.0`). Checked at load. */
  engine?: string;
  /** The config schema, defaults included. Unknown keys must be errors (zod objects are strict here). */
  config: Schema;
  /** What the engine and commands need to know about its components. */
  capabilities?: Capabilities<Cfg<Schema>>;
  /** Commands this plugin adds to the `tributary` CLI. */
  commands?: (program: Command, cli: CliContext) => void;
  /**
   * Reads and checks what a validated config names outside itself (files), when the config is
   * validated: `tributary validate` reports the TributaryError(s) it throws, and components are
   * created with the config it returns (paths resolved against `site.baseDir`, say).
   */
  prepare?: (config: Cfg<Schema>, site: ConfigSite) => Cfg<Schema> | Promise<Cfg<Schema>>;
}

type Cfg<Schema extends z.ZodType> = z.output<Schema>;

export interface ReceiverPlugin<Schema extends z.ZodType = z.ZodType> extends PluginBase<'receiver', Schema> {
  stability: Partial<Record<Signal, Stability>>;
  create: { [S in Signal]?: Create<Cfg<Schema>, Consumer<S>, Receiver> };
}
export interface ProcessorPlugin<Schema extends z.ZodType = z.ZodType>
  extends PluginBase<'processor', Schema> {
  stability: Partial<Record<Signal, Stability>>;
  create: { [S in Signal]?: Create<Cfg<Schema>, Consumer<S>, Processor<S>> };
}
export interface ExporterPlugin<Schema extends z.ZodType = z.ZodType> extends PluginBase<'exporter', Schema> {
  stability: Partial<Record<Signal, Stability>>;
  create: { [S in Signal]?: (ctx: CreateContext<Cfg<Schema>>) => Exporter<S> };
}
export interface ConnectorPlugin<Schema extends z.ZodType = z.ZodType>
  extends PluginBase<'connector', Schema> {
  stability: Partial<Record<ConnectorRoute, Stability>>;
  create: {
    [R in ConnectorRoute]?: R extends `${infer A extends Signal}->${infer B extends Signal}`
      ? Create<Cfg<Schema>, Consumer<B>, Connector<A>>
      : never;
  };
}
export interface ExtensionPlugin<Schema extends z.ZodType = z.ZodType>
  extends PluginBase<'extension', Schema> {
  stability: { extension: Stability };
  create: (ctx: CreateContext<Cfg<Schema>>) => Extension;
}

export type PluginDefinition<Schema extends z.ZodType = z.ZodType> =
  | ReceiverPlugin<Schema>
  | ProcessorPlugin<Schema>
  | ExporterPlugin<Schema>
  | ConnectorPlugin<Schema>
  | ExtensionPlugin<Schema>;

/** The signals (or connector routes) a plugin can be created for. */
export function pluginSignals(plugin: PluginDefinition): string[] {
  return plugin.kind === 'extension' ? [] : Object.keys(plugin.create);
}

/**
 * Declares a plugin. Plain data: the registry checks it at load and the engine calls `create`.
 * The identity function exists so TypeScript infers the config type from the schema.
 */
export function definePlugin<Schema extends z.ZodType>(
  plugin: ReceiverPlugin<Schema>,
): ReceiverPlugin<Schema>;
export function definePlugin<Schema extends z.ZodType>(
  plugin: ProcessorPlugin<Schema>,
): ProcessorPlugin<Schema>;
export function definePlugin<Schema extends z.ZodType>(
  plugin: ExporterPlugin<Schema>,
): ExporterPlugin<Schema>;
export function definePlugin<Schema extends z.ZodType>(
  plugin: ConnectorPlugin<Schema>,
): ConnectorPlugin<Schema>;
export function definePlugin<Schema extends z.ZodType>(
  plugin: ExtensionPlugin<Schema>,
): ExtensionPlugin<Schema>;
export function definePlugin(plugin: PluginDefinition): PluginDefinition {
  return plugin;
}
