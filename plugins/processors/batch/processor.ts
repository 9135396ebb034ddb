import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Consumer, Host, Processor } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import { type Batch, countItems, type Signal } from '../../../core/signals.js';
import { componentAttributes } from '../../../core/telemetry/attributes.js';
import { type BatchBuffer, createBuffer } from './buffer.js';
import type { BatchConfig } from './config.js';

const RESOLVED: Promise<void> = Promise.resolve();

// Batch sizes as a user tunes them: tens to tens of thousands of items.
const SEND_SIZE_BUCKETS = [
  10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 20000,
  30000, 50000, 100000,
];

/**
 * Holds items until `send_batch_size` of them arrived or `timeout` passed since the first one, then
 * hands them on as one batch, split so none is larger than `send_batch_max_size`.
 */
export class BatchProcessor<S extends Signal> implements Processor<S> {
  readonly mutatesData = false;

  private readonly buffer: BatchBuffer<S>;
  private readonly size: number;
  private readonly maxSize: number;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly id: string;
  private readonly attributes: Attributes;
  private readonly sendSize: Histogram;
  private readonly sizeTriggered: Counter;
  private readonly timeoutTriggered: Counter;
  private readonly sendFailed: Counter;
  /** The one timer of this instance: armed while items are held, never otherwise. */
  private timer: NodeJS.Timeout | undefined;
  private readonly sending = new Set<Promise<void>>();
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly signal: S,
    config: BatchConfig,
    private readonly next: Consumer<S>,
    ctx: CreateContext,
  ) {
    this.buffer = createBuffer(signal);
    this.size = config.send_batch_size;
    this.maxSize = config.send_batch_max_size;
    this.timeoutMs = config.timeout;
    this.logger = ctx.logger;
    this.id = ctx.id;
    this.attributes = componentAttributes(ctx, signal);
    this.sendSize = ctx.meter.createHistogram('tributary_processor_batch_batch_send_size', {
      description: 'Items in each batch the batch processor sent',
      unit: '{item}',
      advice: { explicitBucketBoundaries: SEND_SIZE_BUCKETS },
    });
    this.sizeTriggered = ctx.meter.createCounter('tributary_processor_batch_batch_size_trigger_send', {
      description: 'Batches sent because send_batch_size items were held',
      unit: '{batch}',
    });
    this.timeoutTriggered = ctx.meter.createCounter('tributary_processor_batch_timeout_trigger_send', {
      description: 'Batches sent because timeout passed',
      unit: '{batch}',
    });
    this.sendFailed = ctx.meter.createCounter('tributary_processor_batch_send_failed_items', {
      description: 'Items in batches the next consumer refused; they are dropped',
      unit: '{item}',
    });
  }

  async start(_host: Host): Promise<void> {}

  consume(batch: Batch<S>): Promise<void> {
    // After shutdown nothing may be held (no timer would send it): hand data straight on.
    if (this.stopped) return this.next.consume(batch);
    if (batch.length === 0) return RESOLVED;
    const items = countItems(this.signal, batch);
    const buffer = this.buffer;
    const immediate = this.timeoutMs === 0;

    // The common large-batch case: send the caller's batch as it is, without copying it.
    if (buffer.empty && (immediate || items >= this.size) && (this.maxSize === 0 || items <= this.maxSize)) {
      if (!immediate) this.sizeTriggered.add(1, this.attributes);
      this.send(batch, items);
      return RESOLVED;
    }

    buffer.add(batch, items);
    if (immediate) {
      this.sendAll();
    } else if (buffer.count > 0 && buffer.count >= this.size) {
      // Like the Collector: send full batches while enough is held; a remainder waits for more or the timer.
      do {
        this.sizeTriggered.add(1, this.attributes);
        this.sendNext();
      } while (buffer.count > 0 && buffer.count >= this.size);
      buffer.compact();
    }

    if (buffer.empty) this.clearTimer();
    else if (this.timer === undefined) this.timer = setTimeout(this.onTimeout, this.timeoutMs);
    return RESOLVED;
  }

  /** Sends everything held and waits for every send in flight. Safe to call twice, and without start(). */
  shutdown(): Promise<void> {
    this.stopped ??= this.stop();
    return this.stopped;
  }

  private async stop(): Promise<void> {
    this.clearTimer();
    this.sendAll();
    while (this.sending.size > 0) await Promise.all(this.sending);
  }

  private readonly onTimeout = (): void => {
    this.timer = undefined;
    if (this.buffer.empty) return;
    this.timeoutTriggered.add(1, this.attributes);
    this.sendAll();
  };

  private sendAll(): void {
    while (!this.buffer.empty) this.sendNext();
    this.buffer.compact();
  }

  /** Sends the oldest items held, at most `send_batch_max_size` of them. */
  private sendNext(): void {
    const held = this.buffer.count;
    const items = this.maxSize === 0 ? held : Math.min(held, this.maxSize);
    this.send(this.buffer.take(this.maxSize), items);
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Hands one batch on without waiting for it. A refusal is logged and counted, never lost silently. */
  private send(batch: Batch<S>, items: number): void {
    this.sendSize.record(items, this.attributes);
    let sent: Promise<void>;
    try {
      sent = this.next.consume(batch);
    } catch (err) {
      sent = Promise.reject(err);
    }
    const settled = sent.then(this.accepted, (err: unknown) => this.refused(err, items));
    this.sending.add(settled);
    void settled.then(() => this.sending.delete(settled));
  }

  /** Refusals come in spells (a backend down, a queue full): one line when a spell starts, one when it ends. */
  private refusedSince = 0;

  private readonly accepted = (): void => {
    if (this.refusedSince === 0) return;
    this.logger.info({ items: this.refusedSince }, 'batch: the next consumer accepts batches again');
    this.refusedSince = 0;
  };

  private refused(err: unknown, items: number): void {
    this.sendFailed.add(items, this.attributes);
    if (this.refusedSince === 0) {
      this.logger.warn(
        { component: this.id, signal: this.signal, items, err },
        'batch: the next consumer refused a batch; its items are dropped (counted in tributary_processor_batch_send_failed_items)',
      );
    }
    this.refusedSince += items;
  }
}
