import type { Logger } from 'pino';
import type { Consumer } from '../component.js';
import type { Batch } from '../signals.js';
import { countRefused } from '../telemetry/self.js';

/** Batches handed to the pipeline and not yet answered; past this the hand-off holds what comes. */
const MAX_IN_FLIGHT = 8;
/** Within one turn a synchronous burst is held up to this many batches; past it items are refused at once. */
const MAX_BURST_BATCHES = 64;

/**
 * Collects items produced one at a time (ended spans, emitted log records) and hands them to the
 * pipeline as one batch per turn of the event loop, or as soon as `maxBatch` are held. Unlike the
 * SDK's BatchSpanProcessor it drops nothing silently: what the pipeline refuses is counted by the
 * receiver's accepted/refused counters and logged.
 *
 * Memory stays bounded when the pipeline stops answering: at most MAX_IN_FLIGHT batches are
 * unanswered; meanwhile items are held, and at the end of a turn anything beyond
 * `MAX_IN_FLIGHT * maxBatch` held is refused (counted as refused, logged once per spell). Within a
 * turn, a burst is held up to `MAX_BURST_BATCHES * maxBatch` items; what comes past that is refused.
 */
export class Handoff<S extends 'traces' | 'logs'> {
  private held: Batch<S>[number][] = [];
  private scheduled?: NodeJS.Immediate;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxHeld: number;
  private readonly maxBurst: number;
  /** Items refused at push() this turn, counted at its end: counting one by one would cost each item. */
  private refusedInTurn = 0;
  private refusalLogged = false;

  constructor(
    private readonly next: Consumer<S>,
    private readonly logger: Logger,
    private readonly maxBatch = 512,
  ) {
    this.maxHeld = MAX_IN_FLIGHT * maxBatch;
    this.maxBurst = MAX_BURST_BATCHES * maxBatch;
  }

  push(item: Batch<S>[number]): void {
    if (this.held.length >= this.maxBurst) {
      this.refusedInTurn++;
      return;
    }
    this.held.push(item);
    if (this.held.length >= this.maxBatch) this.flush();
    if (this.held.length > 0) this.scheduled ??= setImmediate(this.endOfTurn);
  }

  /** Hands on everything held as one batch, unless MAX_IN_FLIGHT batches are still unanswered. */
  readonly flush = (): void => {
    if (this.held.length === 0 || this.inFlight.size >= MAX_IN_FLIGHT) return;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const batch = this.held as Batch<S>;
    this.held = [];
    const sent: Promise<void> = this.next.consume(batch).then(
      () => {
        this.refusalLogged = false;
      },
      (err: Error) => this.refused(err, batch.length),
    );
    const tracked = sent.finally(() => {
      this.inFlight.delete(tracked);
      this.flush();
    });
    this.inFlight.add(tracked);
  };

  /** Hands on what is held and waits until everything is answered. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size) {
      await Promise.all(this.inFlight);
      this.flush();
    }
  }

  /**
   * Runs once a turn: within a turn a synchronous burst may be held whole (the pipeline's answers
   * arrive after it); across turns, what the pipeline has not made room for is refused.
   */
  private readonly endOfTurn = (): void => {
    this.scheduled = undefined;
    this.flush();
    const excess = Math.max(0, this.held.length - this.maxHeld) + this.refusedInTurn;
    this.refusedInTurn = 0;
    if (excess <= 0) return;
    if (this.held.length > this.maxHeld) this.held.length = this.maxHeld;
    countRefused(this.next, excess);
    this.refused(
      new Error(`${MAX_IN_FLIGHT} batches handed on are still unanswered and ${this.maxHeld} items held`),
      excess,
    );
  };

  private refused(err: Error, items: number): void {
    if (!this.refusalLogged)
      this.logger.warn({ error: err.message, items }, 'the pipeline refused data; it is counted as refused');
    this.refusalLogged = true;
  }
}
