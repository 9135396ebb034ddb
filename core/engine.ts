import type { Logger } from 'pino';
import type { ComponentStatus, Extension, Host, StatusName } from './component.js';
import { configFromObject, type LoadedConfig, loadConfigFiles } from './config/load.js';
import { redactText, secretsOf } from './config/redact.js';
import { type ValidConfig, validateConfig } from './config/validate.js';
import { isUserError, TributaryError, TributaryErrors } from './errors.js';
import { buildGraph, type PipelineGraph } from './graph/build.js';
import { findExtension, type Instance, instantiate } from './graph/lifecycle.js';
import type { CreateContext, PluginDefinition } from './plugin.js';
import { Registry } from './registry.js';
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
    const { config, errors, wired } = await validateConfig(this.source, this.registry);
    // The graph has mistakes of its own (cycles, unused connectors) to report with the rest, but
    // compiled over pipelines naming undefined components it would only repeat those.
    let graph: PipelineGraph | undefined;
    if (wired) {
      try {
        graph = buildGraph(config);
      } catch (err) {
        if (!isUserError(err)) throw err;
        errors.push(...(err instanceof TributaryErrors ? err.errors : [err]));
      }
    }
    if (errors.length || !graph) throw new TributaryErrors(errors);
    return { config, graph };
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
    const secrets = secretsOf(this.source.value);
    const logger =
      this.options.logger ?? createLogger(config.service.telemetry.logs.level, undefined, secrets);
    this.log = logger;
    const telemetry = new SelfTelemetry();
    this.telemetry = telemetry;
    this.registry.container.register(SelfTelemetry, { useValue: telemetry });
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
        const failure = this.startFailure(instance, err, secrets);
        this.setStatus(instance.id, 'permanent_error', failure);
        await this.stopAll(started.reverse(), 5000);
        this.state = 'stopped';
        throw failure;
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
      await this.telemetry?.shutdown();
      this.state = 'stopped';
      this.log?.info('Shutdown complete.');
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

  private hostFor(instance: Instance, logger: Logger): Host {
    return {
      getExtension: <T extends Extension>(id: string) => findExtension<T>(this.instances, id),
      reportStatus: (status: StatusName, error?: Error) => this.setStatus(instance.id, status, error),
      logger: logger.child({ component: instance.id }),
      meter: (this.telemetry as SelfTelemetry).meter,
      shutdownSignal: this.drainDeadline.signal,
    };
  }

  /** Where and why `instance` failed to start; its message may quote its config, so it is redacted. */
  private startFailure(instance: Instance, err: unknown, secrets: readonly string[]): TributaryError {
    const where = this.source.locate([`${instance.kind}s`, instance.id]);
    const reason = redactText(String((err as Error)?.message ?? err), secrets);
    const what = `${instance.kind} "${instance.id}" failed to start: ${reason}`;
    if (err instanceof TributaryError)
      return new TributaryError(err.code, what, where, err.hint && redactText(err.hint, secrets));
    return new TributaryError(
      'TRB_COMPONENT_START_FAILED',
      what,
      where,
      'fix its config or free the resource it needs',
    );
  }

  private setStatus(id: string, status: StatusName, error?: Error): void {
    this.statuses.set(id, { status, time: new Date(), ...(error ? { error } : {}) });
  }
}
