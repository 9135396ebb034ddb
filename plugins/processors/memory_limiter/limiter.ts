import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { Attributes, Counter } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { type Consumer, type Host, type Processor, RetryableError } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import { type Batch, countItems, type Signal } from '../../../core/signals.js';
import { componentAttributes, componentLogger } from '../../../core/telemetry/attributes.js';
import type { MemoryLimiterConfig } from './config.js';

const MIB = 1024 * 1024;

/**
 * Bytes the process holds. RSS, not heapUsed: batches in flight live largely outside the V8 heap
 * (Buffers, sockets, native allocations), and RSS is what the cgroup limit and the OOM killer act on.
 * `memoryUsage.rss()` reads the same number as `memoryUsage().rss` without walking the heap.
 */
export function processMemory(): number {
  return process.memoryUsage.rss();
}

/** Memory the process may use: the cgroup (v2) limit when one is set, else the machine's memory. */
export function totalMemory(): number {
  const machine = totalmem();
  try {
    const text = readFileSync('/sys/fs/cgroup/memory.max', 'utf8').trim();
    // "max" means no limit; a number is the container's limit in bytes.
    if (/^\d+$/.test(text)) return Math.min(Number(text), machine);
  } catch {
    // No cgroup v2 memory controller here: not in a container, or another OS.
  }
  return machine;
}

/** The limits in bytes, from the config's MiB or percentages of total memory. */
export interface MemoryLimits {
  limit: number;
  spike: number;
}

export function memoryLimits(config: MemoryLimiterConfig, total: () => number): MemoryLimits {
  if (config.limit_mib !== undefined) {
    const limit = config.limit_mib * MIB;
    return {
      limit,
      spike: config.spike_limit_mib !== undefined ? config.spike_limit_mib * MIB : limit * 0.2,
    };
  }
  const bytes = total();
  const limit = (bytes * (config.limit_percentage ?? 100)) / 100;
  return {
    limit,
    spike:
      config.spike_limit_percentage !== undefined
        ? (bytes * config.spike_limit_percentage) / 100
        : limit * 0.2,
  };
}

type State = 'under' | 'soft' | 'hard';

const mib = (bytes: number): string => (bytes / MIB).toFixed(1);

/**
 * Refuses data with a RetryableError while the process's memory is above the soft limit
 * (limit - spike), so receivers push back instead of the process running out of memory.
 */
export class MemoryLimiterProcessor<S extends Signal> implements Processor<S> {
  readonly mutatesData = false;

  readonly limit: number;
  readonly softLimit: number;
  private readonly intervalMs: number;
  private readonly logger: Logger;
  private readonly attributes: Attributes;
  private readonly refusedItems: Counter;
  private timer: NodeJS.Timeout | undefined;
  private state: State = 'under';
  /** Built once per check, not per refused batch: refusals come in floods under memory pressure. */
  private refusal: RetryableError | undefined;

  constructor(
    private readonly signal: S,
    config: MemoryLimiterConfig,
    private readonly next: Consumer<S>,
    ctx: CreateContext,
    /** Reads the process's memory in bytes; tests pass their own. */
    private readonly readMemory: () => number = processMemory,
    total: () => number = totalMemory,
  ) {
    const { limit, spike } = memoryLimits(config, total);
    this.limit = limit;
    this.softLimit = limit - spike;
    this.intervalMs = config.check_interval;
    this.logger = componentLogger(ctx.logger, ctx.id, signal);
    this.attributes = componentAttributes(ctx, signal);
    this.refusedItems = ctx.meter.createCounter('tributary_processor_memory_limiter_refused_items', {
      description: 'Items refused because memory usage was above the soft limit',
      unit: '{item}',
    });
  }

  async start(_host: Host): Promise<void> {
    if (this.timer !== undefined) return;
    this.check();
    // unref: measuring memory must never keep the process alive.
    this.timer = setInterval(this.check, this.intervalMs).unref();
  }

  consume(batch: Batch<S>): Promise<void> {
    if (this.refusal !== undefined) {
      this.refusedItems.add(countItems(this.signal, batch), this.attributes);
      return Promise.reject(this.refusal);
    }
    return this.next.consume(batch);
  }

  async shutdown(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    // Stopped means no more measuring: do not keep refusing on a stale reading.
    this.refusal = undefined;
    this.state = 'under';
  }

  /** Measures memory and moves between accepting and refusing; logs only when that changes. */
  readonly check = (): void => {
    let used = this.readMemory();
    const gc = (globalThis as { gc?: () => void }).gc;
    if (used > this.limit && gc) {
      gc();
      used = this.readMemory();
    }
    const state: State = used > this.limit ? 'hard' : used > this.softLimit ? 'soft' : 'under';
    const previous = this.state;
    this.state = state;

    if (state === 'under') {
      this.refusal = undefined;
      if (previous !== 'under') {
        this.logger.info(
          { usedMiB: mib(used), softLimitMiB: mib(this.softLimit) },
          'memory_limiter: memory usage back under the soft limit; accepting data again',
        );
      }
      return;
    }

    this.refusal = new RetryableError(
      `memory usage ${mib(used)} MiB above soft limit ${mib(this.softLimit)} MiB (limit ${mib(this.limit)} MiB); data refused, retry later`,
    );
    if (previous === 'under') {
      this.logger.warn(
        { usedMiB: mib(used), softLimitMiB: mib(this.softLimit) },
        'memory_limiter: memory usage above the soft limit; refusing data until it falls',
      );
    }
    if (state === 'hard' && previous !== 'hard') {
      this.logger.warn(
        { usedMiB: mib(used), limitMiB: mib(this.limit) },
        gc
          ? 'memory_limiter: memory usage above the hard limit even after a forced garbage collection'
          : 'memory_limiter: memory usage above the hard limit; run node with --expose-gc to let the limiter force a garbage collection',
      );
    }
  };
}
