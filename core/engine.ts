import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { AdminPages } from './admin-pages.js';
import type { ComponentStatus, Extension, Host, StatusName } from './component.js';
import { configFromObject, LoadedConfig, loadConfigFiles } from './config/load.js';
import { redactText, secretsOf } from './config/redact.js';
import { type ValidConfig, validateConfig } from './config/validate.js';
import { isUserError, TributaryError, TributaryErrors } from './errors.js';
import { queueStorageOf } from './exporterhelper/config.js';
import { buildGraph, type PipelineGraph } from './graph/build.js';
import { findExtension, type Instance, instantiate, type Reuse } from './graph/lifecycle.js';
import { stopInOrder } from './graph/shutdown.js';
import type { CreateContext, PluginDefinition } from './plugin.js';
import { Registry } from './registry.js';
import { MetricSources } from './sdk/metric-sources.js';
import type { Signal } from './signals.js';
import { type EngineState, EngineStatus } from './status.js';
import { createLogger, redactingChild } from './telemetry/logger.js';
import { type NotSent, SelfTelemetry } from './telemetry/self.js';

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

export type { EngineState } from './status.js';

/** Why an exporter did not send what it took, as the closing line says it. */
const WHY = {
  failed: 'given up (send_failed)',
  refused: 'refused (queue full or shut down)',
  dropped: 'dropped at the shutdown deadline',
} as const;

/** Items as users count them, by signal. */
const ITEMS: Record<Signal, string> = { traces: 'spans', metrics: 'metric data points', logs: 'log records' };

/**
 * A running pipeline graph. Build one from YAML files or a config object, add plugins with `use()`,
 * then `start()` and `shutdown()`. The config is validated and compiled when it starts.
 */
export class Engine {
  readonly registry = new Registry();
  private current: EngineState = 'new';
  private instances: Instance[] = [];
  /** Instances whose start() returned, in start order: what shutdown stops. */
  private readonly started: Instance[] = [];
  private readonly abandoned = new Set<string>();
  private pipelineCount = 0;
  private readonly statuses = new Map<string, ComponentStatus>();
  private engineStatus?: EngineStatus;
  private readonly sharedValues = new Map<string, unknown>();
  private shutdownTimeout = 10_000;
  private telemetry?: SelfTelemetry;
  private stopping?: Promise<void>;
  /** Settles when start() has stopped starting components, however it ended. */
  private startup?: Promise<void>;
  /** The component whose start() is running, for a shutdown() that cannot wait for it. */
  private startingNow?: Instance;
  /** Ends start() when shutdown() gave up waiting for a component's start(). */
  private startAbandoned?: () => void;
  /** Aborts when an instance's drain deadline passes (its host.shutdownSignal), one per instance. */
  private readonly drains = new WeakMap<Instance, AbortController>();
  private configNow?: ValidConfig;
  private sourceNow: LoadedConfig;
  /** The reload under way: reloads run one at a time. */
  private reloading?: Promise<void>;
  private log?: Logger;
  /** The config's secret values, masked in what extensions are shown (EngineStatus). */
  private secrets: readonly string[] = [];

  constructor(
    source: LoadedConfig,
    private readonly options: EngineOptions = {},
  ) {
    this.sourceNow = source;
    for (const plugin of options.plugins ?? []) this.registry.register(plugin);
    this.log = options.logger;
  }

  /** The config the engine runs (after a reload, the new one). */
  get source(): LoadedConfig {
    return this.sourceNow;
  }

  /** The engine's diagnostics logger: the one given in options, else made at start() from the config. */
  get logger(): Logger | undefined {
    return this.log;
  }

  /** Where the engine is in its life: new -> starting -> running -> stopping -> stopped, or failed when start() failed. */
  get state(): EngineState {
    return this.current;
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
  async validate(source = this.source): Promise<{ config: ValidConfig; graph: PipelineGraph }> {
    const { config, errors, wired } = await validateConfig(source, this.registry);
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

  /**
   * Validates, creates every component and starts them: extensions, exporters, processors, receivers.
   * An engine starts once. A component that fails to start stops everything started (state `failed`).
   * A shutdown() during start lets the component being started finish (or abandons it once the
   * shutdown deadline passes), starts no other, and start() then rejects with TRB_ENGINE_STATE once
   * everything is stopped.
   */
  async start(): Promise<void> {
    if (this.current !== 'new') throw this.cannotStart();
    this.current = 'starting';
    const startup = this.startComponents();
    this.startup = startup.then(
      () => {},
      () => {},
    );
    await Promise.race([startup, new Promise<void>((resolve) => (this.startAbandoned = resolve))]);
    if (this.stopping) {
      await this.stopping;
      throw new TributaryError(
        'TRB_ENGINE_STATE',
        'shutdown() was called while the engine was starting: it stopped what had started and started nothing more',
        {},
        'create a new Engine to run the config again',
      );
    }
    this.current = 'running';
    const endpoints = this.engineStatus?.endpoints() ?? {};
    const where = Object.entries(endpoints).map(([what, url]) => `${what}: ${url}`);
    this.log?.info(
      { components: this.instances.length, pipelines: this.pipelineCount, endpoints },
      `Everything is ready. Begin running and processing data.${where.length ? ` ${where.join(', ')}` : ''}`,
    );
  }

  /**
   * Stops receivers first, then processors and exporters, so everything accepted drains downstream.
   * After `timeoutMs` exporters give up and count what is left as dropped; a component that has not
   * returned from shutdown() by then plus a grace is abandoned (status `permanent_error`, logged).
   * During start() it waits for start to stop starting. Safe to call twice, and in any state.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    this.stopping ??= (async () => {
      if (this.current === 'new') {
        this.current = 'stopped';
        return;
      }
      if (this.current !== 'failed') this.current = 'stopping';
      const timeoutMs = options.timeoutMs ?? this.shutdownTimeout;
      const waited = performance.now();
      const hung = (await settlesWithin(this.startup, timeoutMs)) ? undefined : this.startingNow;
      if (this.current === 'failed') return;
      if (hung) this.abandon(hung, `did not finish starting within the ${timeoutMs} ms deadline`);
      // A component that hangs in start() is asked to shut down too: its contract allows it.
      const stopping = [...(hung ? [hung] : []), ...[...this.started].reverse()];
      // Waiting for start() took part of the deadline: draining gets what is left of it.
      const left = Math.max(0, Math.round(timeoutMs - (performance.now() - waited)));
      await this.stopAll(stopping, left, timeoutMs);
      if (hung) this.startAbandoned?.();
      const notSent = (await this.telemetry?.notSent()) ?? [];
      await this.telemetry?.shutdown();
      this.current = 'stopped';
      this.logShutdown(notSent);
    })();
    return this.stopping;
  }

  private cannotStart(): TributaryError {
    const [what, hint] = {
      starting: ['start() was already called and has not finished', 'await the first start() instead'],
      running: ['the engine is already running', 'call start() once; shutdown() stops it'],
      stopping: [
        'the engine is stopping: an engine runs once',
        'create a new Engine to run the config again',
      ],
      stopped: [
        'the engine was shut down: an engine runs once',
        'create a new Engine to run the config again',
      ],
      failed: [
        'the engine failed to start and stopped what it had started',
        'fix what the first start() reported, then create a new Engine',
      ],
    }[this.current as Exclude<EngineState, 'new'>];
    return new TributaryError(
      'TRB_ENGINE_STATE',
      `cannot start an engine that is ${this.current}: ${what}`,
      {},
      hint,
    );
  }

  /** Validates, creates and starts each component in order, until done or a shutdown() is asked for. */
  private async startComponents(): Promise<void> {
    let config: ValidConfig;
    let graph: PipelineGraph;
    try {
      ({ config, graph } = await this.validate());
    } catch (err) {
      this.current = 'failed';
      throw err;
    }
    if (this.stopping) return;
    this.adopt(this.source, config, graph);
    const telemetry = new SelfTelemetry();
    this.telemetry = telemetry;
    this.registry.container.register(SelfTelemetry, { useValue: telemetry });
    this.registry.container.register(MetricSources, { useValue: new MetricSources() });
    this.engineStatus = new EngineStatus(
      () => this.current,
      graph,
      () => telemetry.collect(),
    );
    this.registry.container.register(EngineStatus, { useValue: this.engineStatus });
    this.registry.container.register(AdminPages, { useValue: new AdminPages() });
    this.instances = this.instantiate(config, graph);
    for (const instance of this.instances) {
      if (this.stopping) return;
      if (!(await this.startOne(instance))) return;
    }
  }

  /** Makes `config` the one running: its shutdown deadline, and a logger that masks its secrets. */
  private adopt(source: LoadedConfig, config: ValidConfig, graph: PipelineGraph): void {
    this.sourceNow = source;
    this.configNow = config;
    this.shutdownTimeout = config.service.shutdown_timeout;
    this.pipelineCount = graph.pipelines.size;
    this.secrets = secretsOf(source.value);
    this.log =
      this.options.logger !== undefined
        ? redactingChild(this.options.logger, this.secrets)
        : createLogger(config.service.telemetry.logs.level, undefined, this.secrets);
  }

  /** Creates the graph's components with their contexts; `reuse` says which running ones to keep. */
  private instantiate(config: ValidConfig, graph: PipelineGraph, reuse?: Reuse): Instance[] {
    const logger = this.log as Logger;
    const telemetry = this.telemetry as SelfTelemetry;
    return instantiate(
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
      reuse,
    );
  }

  /**
   * Starts one instance; false when shutdown() gave up waiting for it. A failure stops everything
   * started (state `failed`) and throws, unless `onFailure` handles it.
   */
  private async startOne(
    instance: Instance,
    onFailure?: (failure: TributaryError) => Promise<never>,
  ): Promise<boolean> {
    this.setStatus(instance, 'starting');
    this.startingNow = instance;
    try {
      await instance.component.start(this.hostFor(instance, this.log as Logger));
    } catch (err) {
      const failure = this.startFailure(instance, err, this.secrets);
      if (onFailure) {
        await this.stopAll([instance], this.shutdownTimeout);
        this.setStatus(instance, 'permanent_error', failure);
        await onFailure(failure);
      }
      // What it opened before it failed is released too: shutdown() is safe after a failed start.
      await this.stopAll([instance, ...[...this.started].reverse()], this.shutdownTimeout);
      this.setStatus(instance, 'permanent_error', failure);
      await this.telemetry?.shutdown();
      this.current = 'failed';
      throw failure;
    } finally {
      this.startingNow = undefined;
    }
    // shutdown() stopped waiting for this start and has already asked it to stop.
    if (this.abandoned.has(instance.id)) return false;
    this.setStatus(instance, 'ok');
    this.started.push(instance);
    return true;
  }

  /**
   * Replaces the running graph with `next`'s. The new config is validated first: with mistakes, they
   * are thrown (TributaryErrors) and the running graph goes on untouched. Otherwise exporters and
   * extensions whose config did not change keep running, with their queues; everything else stops
   * as at shutdown (receivers first, so what they accepted drains through) and the new components
   * start. When one fails to start, what the new config started stops, the previous config runs
   * again, and the failure is thrown. Reloads run one at a time.
   */
  reload(next: LoadedConfig | Record<string, unknown>): Promise<void> {
    const run = async () => {
      if (this.current !== 'running') {
        throw new TributaryError(
          'TRB_ENGINE_STATE',
          `cannot reload an engine that is ${this.current}: only a running engine reloads`,
          {},
          'await start() first',
        );
      }
      const source = next instanceof LoadedConfig ? next : configFromObject(next);
      const { config, graph } = await this.validate(source);
      const previous = {
        source: this.source,
        config: this.configNow as ValidConfig,
        graph: this.engineStatus?.graph,
      };
      const kept = this.keepers(config);
      await this.replaceGraph(source, config, graph, kept, async (failure) => {
        this.log?.error(failure.format());
        await this.replaceGraph(previous.source, previous.config, previous.graph as PipelineGraph, kept);
        throw failure;
      });
      this.log?.info(
        { kept: kept.size, components: this.instances.length, pipelines: graph.pipelines.size },
        'Config reloaded: the new graph runs.',
      );
    };
    const reload = (this.reloading ?? Promise.resolve()).then(run, run);
    this.reloading = reload.catch(() => {});
    this.startup = this.reloading;
    return reload;
  }

  /** The running exporters and extensions `config` has too, unchanged: they keep running through a reload. */
  private keepers(config: ValidConfig): Map<string, Instance> {
    const old = this.configNow as ValidConfig;
    const kept = new Map<string, Instance>();
    for (const instance of this.started) {
      if (instance.kind !== 'exporter' && instance.kind !== 'extension') continue;
      const section = instance.kind === 'exporter' ? 'exporters' : 'extensions';
      const before = old.components[section].get(instance.id);
      const after = config.components[section].get(instance.id);
      if (before && after && before.type === after.type && isDeepStrictEqual(before.config, after.config))
        kept.set(`${instance.kind} ${instance.id} ${instance.signal ?? ''}`, instance);
    }
    // A persistent queue lives on its storage extension: when that one restarts, its exporter does too.
    for (const [key, instance] of kept) {
      if (instance.kind !== 'exporter') continue;
      const storage = queueStorageOf(config.components.exporters.get(instance.id)?.config);
      if (storage !== undefined && !kept.has(`extension ${storage} `)) kept.delete(key);
    }
    return kept;
  }

  /** Stops what `kept` does not hold, then creates and starts `config`'s graph around the kept instances. */
  private async replaceGraph(
    source: LoadedConfig,
    config: ValidConfig,
    graph: PipelineGraph,
    kept: ReadonlyMap<string, Instance>,
    onFailure?: (failure: TributaryError) => Promise<never>,
  ): Promise<void> {
    const keeping = new Set(kept.values());
    const stopping = [...this.started].reverse().filter((i) => !keeping.has(i));
    await this.stopAll(stopping, this.shutdownTimeout);
    const gone = new Set(stopping.map((i) => i.id));
    for (const id of gone) {
      this.sharedValues.delete(id);
      this.abandoned.delete(id);
    }
    this.started.splice(0, this.started.length, ...this.started.filter((i) => keeping.has(i)));
    this.adopt(source, config, graph);
    this.engineStatus?.replaced(graph, gone);
    const reuse: Reuse = (n) => kept.get(`${n.kind} ${n.id} ${n.signal ?? ''}`)?.component;
    this.instances = this.instantiate(config, graph, reuse);
    const keptComponents = new Set([...keeping].map((i) => i.component));
    for (const instance of this.instances) {
      if (keptComponents.has(instance.component)) continue;
      if (this.stopping) return;
      if (!(await this.startOne(instance, onFailure))) return;
    }
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

  /** Stops `instances` in order, draining for `timeoutMs`; `deadlineMs` is the deadline as the user set it. */
  private stopAll(instances: Instance[], timeoutMs: number, deadlineMs = timeoutMs): Promise<void> {
    // The deadline ends the drain of these instances only: a reload keeps others running.
    const deadline = new AbortController();
    deadline.signal.addEventListener(
      'abort',
      () => {
        for (const instance of instances) this.drainOf(instance).abort(deadline.signal.reason);
      },
      { once: true },
    );
    return stopInOrder(instances, timeoutMs, deadline, {
      stopping: (instance) => this.setStatus(instance, 'stopping'),
      stopped: (instance) => this.setStatus(instance, 'stopped'),
      failed: (instance, err) => {
        this.setStatus(instance, 'permanent_error', err);
        this.log?.error(
          { component: instance.id, err },
          `${instance.kind} "${instance.id}" failed to shut down`,
        );
      },
      abandoned: (instance) =>
        this.abandon(instance, `did not finish shutting down within the ${deadlineMs} ms deadline`),
    });
  }

  /** Gives up waiting for a component: logged once, and its status stays an error whatever it does later. */
  private abandon({ id, kind }: Instance, what: string): void {
    if (this.abandoned.has(id)) return;
    const error = new TributaryError(
      'TRB_COMPONENT_SHUTDOWN_TIMEOUT',
      `${kind} "${id}" ${what}; abandoned it`,
      this.source.locate([`${kind}s`, id]),
      'its start() and shutdown() must return once host.shutdownSignal aborts; raise service.shutdown_timeout if draining needs longer',
    );
    this.setStatus({ id, kind }, 'permanent_error', error);
    this.abandoned.add(id);
    this.log?.error({ component: id }, error.format());
  }

  /** The closing line, which sums up what could not be sent: one report, however many exporters failed. */
  private logShutdown(notSent: NotSent[]): void {
    if (notSent.length === 0) {
      this.log?.info('Shutdown complete.');
      return;
    }
    const what = notSent.map((n) => {
      const why = (Object.keys(WHY) as (keyof typeof WHY)[])
        .filter((k) => n[k] > 0)
        .map((k) => `${n[k]} ${WHY[k]}`);
      return `${n.items} ${ITEMS[n.signal as Signal] ?? 'items'} (${n.component}: ${why.join(', ')})`;
    });
    this.log?.warn(
      { not_sent: Object.fromEntries(notSent.map((n) => [`${n.component}/${n.signal}`, n.items])) },
      `Shutdown complete. Not sent in this run: ${what.join('; ')}.`,
    );
  }

  private hostFor(instance: Instance, logger: Logger): Host {
    return {
      getExtension: <T extends Extension>(id: string) => findExtension<T>(this.instances, id),
      reportStatus: (status: StatusName, error?: Error) => this.setStatus(instance, status, error),
      logger: logger.child({ component: instance.id }),
      meter: (this.telemetry as SelfTelemetry).meter,
      shutdownSignal: this.drainOf(instance).signal,
    };
  }

  private drainOf(instance: Instance): AbortController {
    let drain = this.drains.get(instance);
    if (drain === undefined) {
      drain = new AbortController();
      this.drains.set(instance, drain);
    }
    return drain;
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

  private setStatus({ id, kind }: Pick<Instance, 'id' | 'kind'>, status: StatusName, error?: Error): void {
    // An abandoned component keeps its error, whatever it reports or returns later.
    if (this.abandoned.has(id)) return;
    const recorded = { status, time: new Date(), ...(error ? { error } : {}) };
    this.statuses.set(id, recorded);
    if (kind !== 'fanout')
      this.engineStatus?.record({ id, kind, ...recorded, ...(error ? { error: this.redacted(error) } : {}) });
  }

  /** `error` as extensions may show it (a status page, /ready): the config's secrets masked in its message. */
  private redacted(error: Error): Error {
    const message = redactText(error.message, this.secrets);
    return message === error.message ? error : Object.assign(new Error(message), { name: error.name });
  }
}

/** Whether `promise` settles within `ms`; no timer is left behind either way. */
async function settlesWithin(promise: Promise<void> | undefined, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  try {
    return await Promise.race([(promise ?? Promise.resolve()).then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
