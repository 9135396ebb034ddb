import type { Logger } from 'pino';
import type { ComponentStatus, Extension, Host, StatusName } from './component.js';
import { configFromObject, type LoadedConfig, loadConfigFiles } from './config/load.js';
import { type ValidConfig, validateConfig } from './config/validate.js';
import { TributaryError } from './errors.js';
import { buildGraph, type PipelineGraph } from './graph/build.js';
import { findExtension, type Instance, instantiate } from './graph/lifecycle.js';
import type { CreateContext, PluginDefinition } from './plugin.js';
import { Registry } from './registry.js';
import { MetricSources } from './sdk/metric-sources.js';
import type { Signal } from './signals.js';
import { createLogger } from './telemetry/logger.js';
import { SelfTelemetry } from './telemetry/self.js';

export interface EngineOptions {
  /** Where the engine's own diagnostics go; defaults to JSON lines on stderr at the config's level. */
  logger?: Logger;
  /** Plugins to register before the config's own `plugins:` modules. */
  plugins?: readonly PluginDefinition[];
}

export interface ShutdownOptions {
  /** How long queues may take to drain before what is left is counted as dropped. Default: the config's `service.shutdown_timeout` (10 s). */
  timeoutMs?: number;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/** Items as users count them, by signal. */
const ITEMS: Record<Signal, string> = { traces: 'spans', metrics: 'metric data points', logs: 'log records' };

/**
 * A running pipeline graph. Build one from YAML files or a config object, add plugins with `use()`,
 * then `start()` and `shutdown()`. The config is validated and compiled when it starts.
 */
export class Engine {
  readonly registry = new Registry();
  private state: State = 'new';
  private instances: Instance[] = [];
  private readonly statuses = new Map<string, ComponentStatus>();
  private readonly sharedValues = new Map<string, unknown>();
  private shutdownTimeout = 10_000;
  private telemetry?: SelfTelemetry;
  private stopping?: Promise<void>;
  private drainDeadline = new AbortController();
  private log?: Logger;

  constructor(
    readonly source: LoadedConfig,
    private readonly options: EngineOptions = {},
  ) {
    for (const plugin of options.plugins ?? []) this.registry.register(plugin);
    this.log = options.logger;
  }

  /** The engine's diagnostics logger: the one given in options, else made at start() from the config. */
  get logger(): Logger | undefined {
    return this.log;
  }

  /** Reads and merges YAML config files in order (later files win). */
  static async fromFile<T extends Engine>(
    this: new (
      source: LoadedConfig,
      options?: EngineOptions,
    ) => T,
    paths: string | readonly string[],
    options?: EngineOptions,
  ): Promise<T> {
    return new this(await loadConfigFiles(typeof paths === 'string' ? [paths] : paths), options);
  }

  /** Takes a config object of the same shape as the YAML; `${env:...}` references are expanded. */
  static fromConfig<T extends Engine>(
    this: new (
      source: LoadedConfig,
      options?: EngineOptions,
    ) => T,
    config: Record<string, unknown>,
    options?: EngineOptions,
  ): T {
    return new this(configFromObject(config), options);
  }

  /** Registers a plugin; it has exactly the powers of a built-in. */
  use(plugin: PluginDefinition): this {
    this.registry.register(plugin);
    return this;
  }

  /** Validates the config and compiles the graph, creating nothing. Throws TributaryErrors. */
  async validate(): Promise<{ config: ValidConfig; graph: PipelineGraph }> {
    const config = await validateConfig(this.source, this.registry);
    return { config, graph: buildGraph(config) };
  }

  /** Validates, creates every component and starts them: extensions, exporters, processors, receivers. */
  async start(): Promise<void> {
    if (this.state !== 'new')
      throw new TributaryError(
        'TRB_ENGINE_STATE',
        `cannot start an engine that is ${this.state}`,
        {},
        'create a new Engine',
      );
    this.state = 'starting';
    const { config, graph } = await this.validate().catch((err) => {
      this.state = 'new';
      throw err;
    });
    this.shutdownTimeout = config.service.shutdown_timeout;
    const logger = this.options.logger ?? createLogger(config.service.telemetry.logs.level);
    this.log = logger;
    const telemetry = new SelfTelemetry();
    this.telemetry = telemetry;
    this.registry.container.register(SelfTelemetry, { useValue: telemetry });
    this.registry.container.register(MetricSources, { useValue: new MetricSources() });
    this.instances = instantiate(
      config,
      graph,
      (n): CreateContext => ({
        id: n.id,
        kind: n.kind as CreateContext['kind'],
        type: n.type,
        config: n.config,
        pipeline: n.pipeline,
        logger: logger.child({ component: n.id, kind: n.kind, ...(n.signal ? { signal: n.signal } : {}) }),
        meter: telemetry.meter,
        container: this.registry.container.createChildContainer(),
        shared: <T>(make: () => T): T => {
          if (!this.sharedValues.has(n.id)) this.sharedValues.set(n.id, make());
          return this.sharedValues.get(n.id) as T;
        },
      }),
      (id, signal, next) => telemetry.observeReceiver(id, signal, next),
    );
    const started: Instance[] = [];
    for (const instance of this.instances) {
      this.setStatus(instance.id, 'starting');
      try {
        await instance.component.start(this.hostFor(instance, logger));
      } catch (err) {
        this.setStatus(instance.id, 'permanent_error', err as Error);
        await this.stopAll(started.reverse(), 5000);
        this.state = 'stopped';
        const where = this.source.locate([`${instance.kind}s`, instance.id]);
        const what = `${instance.kind} "${instance.id}" failed to start`;
        if (err instanceof TributaryError)
          throw new TributaryError(err.code, `${what}: ${err.message}`, where, err.hint);
        const hint = 'fix its config or free the resource it needs';
        throw new TributaryError(
          'TRB_COMPONENT_START_FAILED',
          `${what}: ${(err as Error).message}`,
          where,
          hint,
        );
      }
      this.setStatus(instance.id, 'ok');
      started.push(instance);
    }
    this.state = 'running';
    logger.info(
      { components: this.instances.length, pipelines: graph.pipelines.size },
      'Everything is ready. Begin running and processing data.',
    );
  }

  /**
   * Stops receivers first, then processors and exporters, so everything accepted drains downstream.
   * After `timeoutMs` exporters give up and count what is left as dropped. Safe to call twice.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    this.stopping ??= (async () => {
      if (this.state === 'new') {
        this.state = 'stopped';
        return;
      }
      this.state = 'stopping';
      await this.stopAll([...this.instances].reverse(), options.timeoutMs ?? this.shutdownTimeout);
      const notSent = (await this.telemetry?.notSent()) ?? [];
      await this.telemetry?.shutdown();
      this.state = 'stopped';
      this.logShutdown(notSent);
    })();
    return this.stopping;
  }

  /** Each component's last reported status, by component id. */
  status(): ReadonlyMap<string, ComponentStatus> {
    return this.statuses;
  }

  /** What the component `id` shared through `ctx.shared()`, e.g. the `mcp` receiver's hooks. */
  sharedOf<T>(id: string): T | undefined {
    return this.sharedValues.get(id) as T | undefined;
  }

  getExtension<T extends Extension = Extension>(id: string): T | undefined {
    return findExtension<T>(this.instances, id);
  }

  private async stopAll(instances: Instance[], timeoutMs: number): Promise<void> {
    const timer = setTimeout(
      () => this.drainDeadline.abort(new Error(`drain deadline of ${timeoutMs} ms passed`)),
      timeoutMs,
    );
    try {
      for (const instance of instances) {
        this.setStatus(instance.id, 'stopping');
        try {
          await instance.component.shutdown();
          this.setStatus(instance.id, 'stopped');
        } catch (err) {
          this.setStatus(instance.id, 'permanent_error', err as Error);
          this.log?.error(
            { component: instance.id, err },
            `${instance.kind} "${instance.id}" failed to shut down`,
          );
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** The closing line, which sums up what could not be sent: one report, however many exporters failed. */
  private logShutdown(notSent: { component: string; signal: string; items: number }[]): void {
    if (notSent.length === 0) {
      this.log?.info('Shutdown complete.');
      return;
    }
    const what = notSent.map((n) => `${n.items} ${ITEMS[n.signal as Signal] ?? 'items'} (${n.component})`);
    this.log?.warn(
      { not_sent: Object.fromEntries(notSent.map((n) => [`${n.component}/${n.signal}`, n.items])) },
      `Shutdown complete. Not sent in this run: ${what.join(', ')}; counted in tributary_exporter_send_failed_items and tributary_exporter_dropped_items.`,
    );
  }

  private hostFor(instance: Instance, logger: Logger): Host {
    return {
      getExtension: <T extends Extension>(id: string) => findExtension<T>(this.instances, id),
      reportStatus: (status: StatusName, error?: Error) => this.setStatus(instance.id, status, error),
      logger: logger.child({ component: instance.id }),
      meter: (this.telemetry as SelfTelemetry).meter,
      shutdownSignal: this.drainDeadline.signal,
    };
  }

  private setStatus(id: string, status: StatusName, error?: Error): void {
    this.statuses.set(id, { status, time: new Date(), ...(error ? { error } : {}) });
  }
}
