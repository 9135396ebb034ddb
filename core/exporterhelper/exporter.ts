import type { Logger } from 'pino';
import { type Exporter, type Host, PermanentError, RetryableError } from '../component.js';
import { describeError, TributaryError } from '../errors.js';
import type { CreateContext } from '../plugin.js';
import { type Batch, countItems, type Signal } from '../signals.js';
import { componentLogger } from '../telemetry/attributes.js';
import { Backoff } from './backoff.js';
import type { ExporterSettings, RetrySettings } from './config.js';
import { PersistentQueue } from './persistent-queue.js';
import { MemoryQueue } from './queue.js';
import type { BatchQueue, QueuedBatch, StorageExtension } from './storage.js';
import { ExporterTelemetry } from './telemetry.js';

/** The part an exporter writes: how to send one batch. createExporter() adds queue, retries and timeout. */
export interface Sender<S extends Signal> {
  /** Send one batch. Throw RetryableError (or any other error) to retry later, PermanentError to drop. `signal` aborts on timeout/shutdown. */
  send(batch: Batch<S>, signal: AbortSignal): Promise<void>;
  /** Called from the exporter's start(), before any send(). */
  start?(host: Host): Promise<void>;
  /** Called once at shutdown, after every batch was sent or given up. */
  shutdown?(): Promise<void>;
}

/** Wraps `sender` in the sending queue, retry with backoff and timeout that `ctx.config` asks for. */
export function createExporter<S extends Signal>(
  ctx: CreateContext<ExporterSettings>,
  signal: S,
  sender: Sender<S>,
): Exporter<S> {
  return new SendingExporter(ctx, signal, sender);
}

/** Sends failing since `since`: logged when it starts and when a send succeeds again, not per attempt. */
interface Outage {
  since: number;
  failedAttempts: number;
  /** Items of the batches whose sends failed meanwhile. */
  items: number;
  /** Items given up meanwhile because retries ran out: the first give-up is logged, the rest counted. */
  givenUp: number;
}

class SendingExporter<S extends Signal> implements Exporter<S> {
  private readonly id: string;
  private readonly logger: Logger;
  private readonly timeout: number;
  private readonly retry: RetrySettings;
  private readonly dropWhenFull: boolean;
  private readonly numConsumers: number;
  private readonly queue?: BatchQueue<QueuedBatch<S>>;
  /** `sending_queue.storage`: the queue is persistent, on this extension's storage. */
  private readonly storageId?: string;
  private readonly persistent?: PersistentQueue<S>;
  private closeStorage?: () => Promise<void>;
  private readonly telemetry: ExporterTelemetry;
  private readonly abandonReason: PermanentError;

  private host?: Host;
  private started = false;
  private stopping = false;
  /** The drain deadline passed: everything still held was counted as dropped. */
  private abandoned = false;
  /** Batches (and their items) accepted by consume() and not yet sent or given up. */
  private pending = 0;
  private pendingItems = 0;
  private drained?: () => void;
  private workers: Promise<void>[] = [];
  private readonly inflight = new Set<Attempt>();
  private readonly sleeping = new Map<ReturnType<typeof setTimeout>, () => void>();
  private refusedWhileFull = 0;
  /** Items the persistent queue could not store since it last could. */
  private unstoredItems = 0;
  private refusalLogged = false;
  private outage?: Outage;
  /** The last send failed: reported to the engine as `recoverable_error` until one succeeds. */
  private failing = false;
  private shutdownDone?: Promise<void>;

  constructor(
    ctx: CreateContext<ExporterSettings>,
    private readonly signal: S,
    private readonly sender: Sender<S>,
  ) {
    const { timeout, retry_on_failure, sending_queue } = ctx.config;
    this.id = ctx.id;
    this.logger = componentLogger(ctx.logger, ctx.id, signal);
    this.timeout = timeout;
    this.retry = retry_on_failure;
    this.dropWhenFull = sending_queue.when_full === 'drop_newest';
    this.numConsumers = sending_queue.num_consumers;
    this.storageId = sending_queue.storage;
    if (this.storageId !== undefined) {
      this.persistent = new PersistentQueue(sending_queue.queue_size, signal, this.logger, (items, reason) =>
        this.lost(items, reason),
      );
      this.queue = this.persistent;
    } else if (sending_queue.enabled) this.queue = new MemoryQueue(sending_queue.queue_size);
    this.telemetry = new ExporterTelemetry(ctx, signal, {
      queue: this.queue,
      persistent: this.persistent !== undefined,
      queuedItems: () => this.pendingItems,
    });
    this.abandonReason = new PermanentError(`exporter ${ctx.id} shut down before the batch was sent`);
  }

  consume(batch: Batch<S>): Promise<void> {
    const items = countItems(this.signal, batch);
    if (this.stopping) return this.refuse(items);
    const queue = this.queue;
    if (queue === undefined) {
      this.hold(items);
      return this.deliver(batch, items);
    }
    // `block` makes producers wait for room, but no more of them than the queue holds: a producer that
    // hands on batch after batch without waiting for the last must not grow memory without bound.
    if (queue.size >= queue.capacity && (this.dropWhenFull || queue.waiting >= queue.capacity)) {
      return this.refuseFull(items, queue.capacity);
    }
    if (this.refusedWhileFull > 0) {
      this.logger.info({ items: this.refusedWhileFull }, 'sending queue has room again');
      this.refusedWhileFull = 0;
    }
    this.hold(items);
    const offered = queue.offer({ batch, items });
    if (!this.persistent) return offered;
    return offered.then(
      () => this.storedAgain(),
      (err: unknown) => this.refuseUnstored(items, err),
    );
  }

  async start(host: Host): Promise<void> {
    if (this.host !== undefined || this.stopping) return;
    this.host = host;
    // The deadline binds from the start: while receivers and processors stop, they may still be
    // waiting on this full queue, and this exporter's own shutdown() has not been called yet.
    host.shutdownSignal.addEventListener('abort', () => this.abandon('shutdown deadline passed'), {
      once: true,
    });
    await this.sender.start?.(host);
    if (this.persistent) await this.openStorage(host, this.persistent);
    this.started = true;
    const queue = this.queue;
    if (queue) for (let i = 0; i < this.numConsumers; i++) this.workers.push(this.work(queue));
  }

  shutdown(): Promise<void> {
    this.shutdownDone ??= this.drainAndStop();
    return this.shutdownDone;
  }

  private async drainAndStop(): Promise<void> {
    this.stopping = true;
    this.queue?.close();
    const deadline = this.host?.shutdownSignal;
    if (!this.started) this.abandon('exporter shut down before it started');
    else if (deadline?.aborted) this.abandon('shutdown deadline passed');
    else {
      if (this.pending > 0) {
        const drained = new Promise<void>((resolve) => {
          this.drained = resolve;
        });
        const onDeadline = () => this.abandon('shutdown deadline passed');
        deadline?.addEventListener('abort', onDeadline, { once: true });
        await drained;
        deadline?.removeEventListener('abort', onDeadline);
      }
      // Workers end once the closed queue is empty; after an abandon they are not waited for.
      if (!this.abandoned) await Promise.all(this.workers);
    }
    // Info, not warn: what this left unsent is reported once, in the engine's closing line.
    if (this.outage) this.logOutage('info', 'shut down while sends were failing');
    this.telemetry.close();
    await this.closeStorage?.();
    await this.sender.shutdown?.();
  }

  /** Opens the persistent queue on the storage extension, and queues what the last run left there. */
  private async openStorage(host: Host, queue: PersistentQueue<S>): Promise<void> {
    const id = this.storageId as string;
    const extension = host.getExtension<StorageExtension>(id);
    if (typeof extension?.getClient !== 'function') {
      throw new TributaryError(
        'TRB_EXPORTER_STORAGE_NOT_FOUND',
        `sending_queue.storage names "${id}", which is not a running storage extension`,
        { path: `exporters.${this.id}.sending_queue.storage` },
        `define it under extensions (e.g. file_storage: { directory: ./data }) and list "${id}" in service.extensions`,
      );
    }
    const client = await extension.getClient(this.id, this.signal);
    this.closeStorage = () => client.close();
    const { batches, items, redeliveredItems } = await queue.open(client);
    if (batches === 0) return;
    this.pending += batches;
    this.pendingItems += items;
    this.telemetry.recovered(items, redeliveredItems);
    this.logger.info(
      { batches, items, redelivered_items: redeliveredItems },
      `sending ${items} items (${batches} batches) left in storage by the last run` +
        (redeliveredItems > 0
          ? `; ${redeliveredItems} of them were being sent when it stopped and may arrive twice`
          : ''),
    );
  }

  /** Stops at once: aborts sends, cuts backoff waits, counts everything not yet sent as dropped. */
  private abandon(why: string): void {
    if (this.abandoned) return;
    this.abandoned = true;
    this.queue?.abort(this.abandonReason);
    for (const attempt of this.inflight) abort(attempt, this.abandonReason);
    for (const [timer, wake] of this.sleeping) {
      clearTimeout(timer);
      wake();
    }
    this.sleeping.clear();
    // A persistent queue keeps what it stored for the next start; only offers still waiting for room are lost.
    const kept = this.persistent ? this.pendingItems - this.persistent.waitingItems : 0;
    if (kept > 0) {
      this.logger.info(
        { items: kept },
        `${why}: ${kept} items not yet sent stay in storage for the next start`,
      );
      this.pendingItems -= kept;
    }
    if (this.pendingItems > 0) {
      this.telemetry.dropped(this.pendingItems);
      // The engine's closing line reports every exporter's loss once; this is the detail.
      this.logger.debug(
        { items: this.pendingItems, batches: this.pending },
        `${why}: dropping ${this.pendingItems} items not yet sent`,
      );
    }
    this.pending = this.pendingItems = 0;
    this.drained?.();
  }

  private async work(queue: BatchQueue<QueuedBatch<S>>): Promise<void> {
    try {
      for (let next = await queue.take(); next !== undefined; next = await queue.take()) {
        try {
          await this.deliver(next.batch, next.items);
        } catch {
          // deliver() has counted and logged it.
        }
        await queue.done(next);
      }
    } catch (err) {
      this.logger.error({ error: errorOf(err).message }, 'sending worker stopped');
    }
  }

  /** Sends one batch, retrying as configured, and counts how it ended. Rejects when it was not sent. */
  private async deliver(batch: Batch<S>, items: number): Promise<void> {
    const startedAt = performance.now();
    let backoff: Backoff | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.attempt(batch);
          if (this.abandoned) return;
          this.telemetry.sent(items);
          if (this.outage) this.logOutage('info', 'sends succeed again');
          this.report(undefined);
          return;
        } catch (err) {
          if (this.abandoned) throw this.abandonReason;
          const error = errorOf(err);
          this.report(error);
          if (error instanceof PermanentError) throw this.fail(items, attempt, error, 'permanent error');
          if (!this.retry.enabled) throw this.fail(items, attempt, error, 'retry_on_failure is disabled');
          backoff ??= new Backoff(this.retry, startedAt);
          const retryAfter = error instanceof RetryableError ? error.retryAfterMs : undefined;
          const delay = backoff.next(performance.now(), retryAfter);
          if (delay === undefined) {
            this.giveUp(items, attempt, error);
            // Retryable for the caller: the backend may take it later (a receiver answers 503, and its
            // sender keeps the data), as the Collector's exporters answer once their retries run out.
            throw new RetryableError(`gave up after ${attempt} attempts: ${error.message}`, { cause: error });
          }
          this.failedAttempt(items, attempt, delay, error);
          await this.sleep(delay);
          if (this.abandoned) throw this.abandonReason;
        }
      }
    } finally {
      this.release(items);
    }
  }

  /** Reports to the engine (health_check's /ready) when sends start failing and when one succeeds again. */
  private report(error: Error | undefined): void {
    if (this.failing === (error !== undefined) || this.stopping) return;
    this.failing = error !== undefined;
    this.host?.reportStatus(error ? 'recoverable_error' : 'ok', error);
  }

  /** One send, aborted after `timeout` or when the drain deadline passes. */
  private async attempt(batch: Batch<S>): Promise<void> {
    const attempt: Attempt = { controller: new AbortController(), fail: undefined };
    const timer = this.timeout > 0 ? setTimeout(timeOut, this.timeout, attempt, this.timeout) : undefined;
    this.inflight.add(attempt);
    try {
      await new Promise<void>((resolve, reject) => {
        attempt.fail = reject;
        this.sender.send(batch, attempt.controller.signal).then(resolve, reject);
      });
    } finally {
      clearTimeout(timer);
      this.inflight.delete(attempt);
    }
  }

  private fail(items: number, attempts: number, error: Error, why: string): Error {
    this.telemetry.failed(items);
    this.logger.error(
      { items, attempts, error: describeError(error) },
      `send failed (${why}): batch not sent`,
    );
    return error;
  }

  /** Retries ran out. Within an outage only the first give-up is logged; the line that ends it counts the rest. */
  private giveUp(items: number, attempts: number, error: Error): void {
    const outage = this.outage;
    if (outage && outage.givenUp > 0) {
      this.telemetry.failed(items);
      outage.givenUp += items;
      return;
    }
    if (outage) outage.givenUp = items;
    this.fail(items, attempts, error, 'retry_on_failure.max_elapsed_time passed');
  }

  /** The first failure of an outage is logged; the rest are counted for the line that ends it. */
  private failedAttempt(items: number, attempt: number, delay: number, error: Error): void {
    const outage = this.outage;
    if (outage) {
      outage.failedAttempts++;
      if (attempt === 1) outage.items += items;
      return;
    }
    this.outage = { since: performance.now(), failedAttempts: 1, items, givenUp: 0 };
    this.logger.warn(
      { items, attempt, retry_in_ms: Math.round(delay), error: describeError(error) },
      'send failed; will retry',
    );
  }

  private logOutage(level: 'info' | 'warn', message: string): void {
    const { since, failedAttempts, items, givenUp } = this.outage as Outage;
    this.outage = undefined;
    const lost = givenUp > 0 ? `; ${givenUp} items given up` : '';
    this.logger[level](
      {
        failed_attempts: failedAttempts,
        items,
        given_up_items: givenUp,
        failing_for_ms: Math.round(performance.now() - since),
      },
      `${message} (${failedAttempts} attempts failed, for ${items} items${lost})`,
    );
  }

  /** A backoff wait that abandon() can cut short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeping.delete(timer);
        resolve();
      }, ms);
      this.sleeping.set(timer, resolve);
    });
  }

  private hold(items: number): void {
    this.pending++;
    this.pendingItems += items;
  }

  private release(items: number): void {
    if (this.abandoned) return;
    this.pendingItems -= items;
    if (--this.pending === 0) this.drained?.();
  }

  private refuseFull(items: number, capacity: number): Promise<void> {
    this.telemetry.refused(items);
    // One line per full spell, not per batch: a full queue under load would flood the log.
    if (this.refusedWhileFull === 0) {
      this.logger.warn(
        { items, queue_size: capacity },
        this.dropWhenFull
          ? 'sending queue is full: refusing new batches (when_full: drop_newest)'
          : 'sending queue is full and as many batches wait for room: refusing new batches',
      );
    }
    this.refusedWhileFull += items;
    return Promise.reject(
      new RetryableError(`sending queue is full (${capacity} batches): ${items} items refused`),
    );
  }

  /** The persistent queue could not store the batch (storage full, disk full): refused, as a full queue's. */
  private refuseUnstored(items: number, err: unknown): never {
    this.release(items);
    if (this.abandoned) throw err;
    this.telemetry.refused(items);
    // One line per spell, not per batch: a full disk under load would flood the log.
    if (this.unstoredItems === 0) {
      this.logger.error(
        { items, error: describeError(err) },
        'cannot store batches in the persistent sending queue: refusing them until it can',
      );
    }
    this.unstoredItems += items;
    // A batch that cannot be encoded is bad data (the sender must not retry it); storage errors pass.
    const Refusal = err instanceof PermanentError ? PermanentError : RetryableError;
    throw new Refusal(`the persistent sending queue cannot store the batch: ${describeError(err)}`, {
      cause: err,
    });
  }

  private storedAgain(): void {
    if (this.unstoredItems === 0) return;
    this.logger.info(
      { items: this.unstoredItems },
      `the persistent sending queue stores batches again (${this.unstoredItems} items were refused meanwhile)`,
    );
    this.unstoredItems = 0;
  }

  /** A batch the persistent queue could not read back: counted as given up, never sent. */
  private lost(items: number, reason: string): void {
    this.telemetry.failed(items);
    this.logger.error({ items }, `${reason}: batch not sent`);
    this.release(items);
  }

  private refuse(items: number): Promise<void> {
    this.telemetry.refused(items);
    if (!this.refusalLogged) {
      this.refusalLogged = true;
      this.logger.warn({ items }, 'exporter is shut down: refusing batches sent to it');
    }
    return Promise.reject(new PermanentError(`exporter ${this.id} is shut down`));
  }
}

/** A send in flight. `fail` settles it even when the sender ignores its signal, so no worker hangs on it. */
interface Attempt {
  controller: AbortController;
  fail: ((reason: Error) => void) | undefined;
}

function abort(attempt: Attempt, reason: Error): void {
  attempt.controller.abort(reason);
  attempt.fail?.(reason);
}

function timeOut(attempt: Attempt, ms: number): void {
  abort(attempt, new RetryableError(`send timed out after ${ms}ms`));
}

function errorOf(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
