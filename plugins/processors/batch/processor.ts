import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { type Consumer, type Host, type Processor, RetryableError } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import { type Batch, countItems, type Signal } from '../../../core/signals.js';
import { componentAttributes, componentLogger } from '../../../core/telemetry/attributes.js';
import { type BatchBuffer, createBuffer } from './buffer.js';
import type { BatchConfig } from './config.js';

const RESOLVED: Promise<void> = Promise.resolve();

// Batch sizes as a user tunes them: tens to tens of thousands of items.
const SEND_SIZE_BUCKETS = [
  10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 20000,
  30000, 50000, 100000,
];

/** A batch that arrived while the processor was full, waiting for room. */
interface Waiting<S extends Signal> {
  batch: Batch<S>;
  items: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * wait_for_result: a caller's items, as the range [start, end) of every item ever added, waiting for
 * the sends that carry them. Sends go one at a time, in order, so a send ending at `end` settles
 * every caller whose items end there or before.
 */
interface Result {
  start: number;
  end: number;
  error?: unknown;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Holds items until `send_batch_size` of them arrived or `timeout` passed since the first one, then
 * hands them on as one batch, split so none is larger than `send_batch_max_size`. It hands on one
 * batch at a time, as the Collector's does: while the next consumer makes a batch wait (a full
 * sending queue), what arrives is held, at most `max_held_items` counting the batch in flight; past
 * that consume() waits for room, and once as many items wait, it refuses.
 */
export class BatchProcessor<S extends Signal> implements Processor<S> {
  readonly mutatesData = false;

  private readonly buffer: BatchBuffer<S>;
  private readonly size: number;
  private readonly maxSize: number;
  private readonly timeoutMs: number;
  private readonly maxHeld: number;
  private readonly waitForResult: boolean;
  /** Items added and items handed on since the start, for wait_for_result. */
  private addedItems = 0;
  private handedOnItems = 0;
  /** Callers waiting for the result of the sends that carry their items, oldest first. */
  private readonly results: Result[] = [];
  private readonly logger: Logger;
  private readonly id: string;
  private readonly attributes: Attributes;
  private readonly sendSize: Histogram;
  private readonly sizeTriggered: Counter;
  private readonly timeoutTriggered: Counter;
  private readonly sendFailed: Counter;
  private readonly refusedItems: Counter;
  /** The one timer of this instance: armed while items are held and not yet due, never otherwise. */
  private timer: NodeJS.Timeout | undefined;
  /** Everything held leaves as soon as it can: the timeout passed, timeout is 0, or shutting down. */
  private due = false;
  /** The batch handed on and not yet taken (or refused) by the next consumer, and its items. */
  private inFlight: Promise<void> | undefined;
  private inFlightItems = 0;
  private readonly waiting: Waiting<S>[] = [];
  private waitingItems = 0;
  /** Items refused since the processor last had room: one log line per full spell. */
  private refusedWhileFull = 0;
  private stopping = false;
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
    this.maxHeld = config.max_held_items;
    this.waitForResult = config.wait_for_result;
    this.logger = componentLogger(ctx.logger, ctx.id, signal);
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
    this.refusedItems = ctx.meter.createCounter('tributary_processor_batch_refused_items', {
      description: 'Items refused because max_held_items were held and as many waited for room',
      unit: '{item}',
    });
  }

  async start(_host: Host): Promise<void> {}

  consume(batch: Batch<S>): Promise<void> {
    // After shutdown nothing may be held (no timer would send it): hand data straight on.
    if (this.stopping) return this.next.consume(batch);
    if (batch.length === 0) return RESOLVED;
    const items = countItems(this.signal, batch);
    if (this.waiting.length === 0 && this.hasRoom(items)) return this.add(batch, items);
    // As many items may wait as may be held (and one batch larger than that, alone).
    if (this.waiting.length > 0 && this.waitingItems + items > this.maxHeld) return this.refuse(items);
    this.waitingItems += items;
    return new Promise((resolve, reject) => this.waiting.push({ batch, items, resolve, reject }));
  }

  /** Sends everything held and waits until it is taken. Safe to call twice, and without start(). */
  shutdown(): Promise<void> {
    this.stopped ??= this.stop();
    return this.stopped;
  }

  private async stop(): Promise<void> {
    this.stopping = true;
    this.due = true;
    this.sendReady();
    // Each send that is taken starts the next; batches waiting for room get in as room is made.
    while (this.inFlight) await this.inFlight;
  }

  /** A batch fits when nothing is held (however large it is), or when it fits under max_held_items. */
  private hasRoom(items: number): boolean {
    const held = this.buffer.count + this.inFlightItems;
    return held === 0 || held + items <= this.maxHeld;
  }

  /** Lets in the batches waiting for room, first come first served, while they fit. */
  private admitWaiting(): void {
    for (let next = this.waiting[0]; next && this.hasRoom(next.items); next = this.waiting[0]) {
      this.waiting.shift();
      this.waitingItems -= next.items;
      this.add(next.batch, next.items).then(next.resolve, next.reject);
    }
  }

  private refuse(items: number): Promise<void> {
    this.refusedItems.add(items, this.attributes);
    if (this.refusedWhileFull === 0) {
      this.logger.warn(
        { items, max_held_items: this.maxHeld },
        'batch: full, as many items wait for room; refusing new batches (counted in tributary_processor_batch_refused_items)',
      );
    }
    this.refusedWhileFull += items;
    const held = this.buffer.count + this.inFlightItems;
    return Promise.reject(
      new RetryableError(
        `batch processor ${this.id} is full: ${held} items held and ${this.waitingItems} waiting for room (max_held_items ${this.maxHeld}); ${items} items refused`,
      ),
    );
  }

  /**
   * Takes a batch in: sends it, or holds it until size or time says so. Resolves at once, or with
   * wait_for_result once the sends carrying its items were taken (rejects when one was refused).
   */
  private add(batch: Batch<S>, items: number): Promise<void> {
    const start = this.addedItems;
    this.addedItems += items;
    const result = this.waitForResult
      ? new Promise<void>((resolve, reject) =>
          this.results.push({ start, end: this.addedItems, resolve, reject }),
        )
      : RESOLVED;
    this.hold(batch, items);
    return result;
  }

  private hold(batch: Batch<S>, items: number): void {
    if (this.refusedWhileFull > 0) {
      this.logger.info({ items: this.refusedWhileFull }, 'batch: has room again after refusing items');
      this.refusedWhileFull = 0;
    }
    const buffer = this.buffer;
    const immediate = this.timeoutMs === 0 || this.stopping;

    // The common large-batch case: send the caller's batch as it is, without copying it.
    const idle = this.inFlight === undefined && buffer.empty;
    if (idle && (immediate || items >= this.size) && (this.maxSize === 0 || items <= this.maxSize)) {
      if (!immediate) this.sizeTriggered.add(1, this.attributes);
      this.send(batch, items);
      return;
    }
    buffer.add(batch, items);
    if (immediate) this.due = true;
    this.sendReady();
  }

  /**
   * Unless a batch is in flight, sends the next one: a full one (like the Collector, full batches go
   * while enough is held; a remainder waits for more or the timer), or whatever is held once due.
   */
  private sendReady(): void {
    const buffer = this.buffer;
    if (this.inFlight === undefined) {
      if (buffer.count > 0 && buffer.count >= this.size) {
        this.sizeTriggered.add(1, this.attributes);
        this.sendNext();
      } else if (this.due && !buffer.empty) {
        this.sendNext();
      }
      buffer.compact();
    }
    if (buffer.empty) {
      this.due = false;
      this.clearTimer();
    } else if (!this.due && this.timer === undefined) {
      this.timer = setTimeout(this.onTimeout, this.timeoutMs);
    }
  }

  private readonly onTimeout = (): void => {
    this.timer = undefined;
    if (this.buffer.empty) return;
    this.timeoutTriggered.add(1, this.attributes);
    this.due = true;
    this.sendReady();
  };

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

  /** Hands one batch on. A refusal is logged and counted, never lost silently; then the next may go. */
  private send(batch: Batch<S>, items: number): void {
    this.sendSize.record(items, this.attributes);
    this.inFlightItems = items;
    const start = this.handedOnItems;
    this.handedOnItems += items;
    const end = this.handedOnItems;
    let sent: Promise<void>;
    try {
      sent = this.next.consume(batch);
    } catch (err) {
      sent = Promise.reject(err);
    }
    this.inFlight = sent
      .then(this.accepted, (err: unknown) => this.refused(err, items, start, end))
      .then(() => {
        this.settleResults(end);
        this.inFlight = undefined;
        this.inFlightItems = 0;
        this.sendReady();
        this.admitWaiting();
      });
  }

  /** Settles the callers whose items have all been handed on, up to item `end`. */
  private settleResults(end: number): void {
    const results = this.results;
    while (results.length > 0 && (results[0] as Result).end <= end) {
      const result = results.shift() as Result;
      if (result.error === undefined) result.resolve();
      else result.reject(result.error);
    }
  }

  /** Refusals come in spells (a backend down, a queue full): one line when a spell starts, one when it ends. */
  private refusedSince = 0;

  private readonly accepted = (): void => {
    if (this.refusedSince === 0) return;
    this.logger.info({ items: this.refusedSince }, 'batch: the next consumer accepts batches again');
    this.refusedSince = 0;
  };

  private refused(err: unknown, items: number, start: number, end: number): void {
    this.sendFailed.add(items, this.attributes);
    // Every caller with an item in this batch is told: its sender may send it again.
    for (const result of this.results) {
      if (result.start >= end) break;
      if (result.end > start) result.error ??= err;
    }
    if (this.refusedSince === 0) {
      this.logger.warn(
        { items, err },
        'batch: the next consumer refused a batch; its items are dropped (counted in tributary_processor_batch_send_failed_items)',
      );
    }
    this.refusedSince += items;
  }
}
