import { z } from 'zod';
import type { Consumer, Exporter, Receiver } from '../component.js';
import { parseConfigText } from '../config/load.js';
import { Engine } from '../engine.js';
import { definePlugin, type PluginDefinition } from '../plugin.js';
import { type Batch, SIGNALS, type Signal } from '../signals.js';
import { createLogger } from '../telemetry/logger.js';

/** Batches a `sink` exporter received, by component id and signal. */
export class Recorded {
  private readonly batches = new Map<string, unknown[][]>();
  add(id: string, signal: Signal, batch: unknown[]): void {
    const key = `${id}:${signal}`;
    const list = this.batches.get(key) ?? [];
    list.push(batch);
    this.batches.set(key, list);
  }
  /** Every batch the exporter `id` received for `signal`, in order. */
  of<S extends Signal>(signal: S, id = 'sink'): Batch<S>[] {
    return (this.batches.get(`${id}:${signal}`) ?? []) as Batch<S>[];
  }
  /** Every item (span, ResourceMetrics, log record) the exporter received, flattened. */
  items<S extends Signal>(signal: S, id = 'sink'): Batch<S>[number][] {
    return this.of(signal, id).flat() as Batch<S>[number][];
  }
}

const NoConfig = z.strictObject({});
const perSignal = <T>(make: (signal: Signal) => T) => Object.fromEntries(SIGNALS.map((s) => [s, make(s)]));

/** An exporter plugin (`sink`) that records every batch it gets. */
export function sinkExporter(recorded: Recorded, type = 'sink'): PluginDefinition {
  return definePlugin({
    kind: 'exporter',
    type,
    stability: { traces: 'stable', metrics: 'stable', logs: 'stable' },
    config: NoConfig,
    create: perSignal(
      (signal) =>
        (ctx: { id: string }): Exporter => ({
          start: async () => {},
          shutdown: async () => {},
          consume: async (batch) => recorded.add(ctx.id, signal, batch as unknown[]),
        }),
    ),
  });
}

/** A receiver plugin (`push`) whose instances take batches from the test through `push()`. */
export function pushReceiver(targets: Map<string, Consumer>, type = 'push'): PluginDefinition {
  return definePlugin({
    kind: 'receiver',
    type,
    stability: { traces: 'stable', metrics: 'stable', logs: 'stable' },
    config: NoConfig,
    create: perSignal(
      (signal) =>
        (ctx: { id: string }, next: Consumer): Receiver => ({
          start: async () => void targets.set(`${ctx.id}:${signal}`, next),
          shutdown: async () => void targets.delete(`${ctx.id}:${signal}`),
        }),
    ),
  });
}

export interface RunningPipeline {
  engine: Engine;
  recorded: Recorded;
  /** Hands a batch to the `push` receiver `id` (default `push`); resolves when the pipeline accepted it. */
  push<S extends Signal>(signal: S, batch: Batch<S>, id?: string): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Starts a real engine on a YAML config in which the `push` receiver and the `sink` exporter are
 * available, with your plugins registered. Diagnostics are silent unless `logLevel` says otherwise.
 */
export async function startPipeline(
  yaml: string,
  options: {
    plugins?: readonly PluginDefinition[];
    logLevel?: 'silent' | 'info' | 'debug';
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<RunningPipeline> {
  const recorded = new Recorded();
  const targets = new Map<string, Consumer>();
  const source = parseConfigText(yaml, `${process.cwd()}/pipeline.yaml`, options.env);
  const engine = new Engine(source, {
    logger: createLogger(options.logLevel ?? 'silent'),
    plugins: [sinkExporter(recorded), pushReceiver(targets), ...(options.plugins ?? [])],
  });
  await engine.start();
  return {
    engine,
    recorded,
    push: (signal, batch, id = 'push') => {
      const target = targets.get(`${id}:${signal}`);
      if (!target)
        throw new Error(`no running receiver "${id}" for ${signal}: list it in a ${signal} pipeline`);
      return target.consume(batch);
    },
    shutdown: () => engine.shutdown(),
  };
}
