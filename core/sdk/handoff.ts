import type { Logger } from 'pino';
import type { Consumer } from '../component.js';
import type { Batch } from '../signals.js';

/**
 * Collects items produced one at a time (ended spans, emitted log records) and hands them to the
 * pipeline as one batch per turn of the event loop, or as soon as `maxBatch` are held. Unlike the
 * SDK's BatchSpanProcessor it has no queue to overflow: what the pipeline refuses is counted by the
 * receiver's accepted/refused counters and logged, never dropped silently.
 */
export class Handoff<S extends 'traces' | 'logs'> {
  private held: Batch<S>[number][] = [];
  private scheduled?: NodeJS.Immediate;
  private readonly inFlight = new Set<Promise<void>>();
  private refusalLogged = false;

  constructor(
    private readonly next: Consumer<S>,
    private readonly logger: Logger,
    private readonly maxBatch = 512,
  ) {}

  push(item: Batch<S>[number]): void {
    this.held.push(item);
    if (this.held.length >= this.maxBatch) this.flush();
    else this.scheduled ??= setImmediate(this.flush);
  }

  readonly flush = (): void => {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.held.length === 0) return;
    const batch = this.held as Batch<S>;
    this.held = [];
    const sent: Promise<void> = this.next.consume(batch).then(
      () => {
        this.refusalLogged = false;
      },
      (err: Error) => {
        if (!this.refusalLogged)
          this.logger.warn(
            { error: err.message, items: batch.length },
            'the pipeline refused data; it is counted as refused',
          );
        this.refusalLogged = true;
      },
    );
    const tracked = sent.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  };

  /** Hands on what is held and waits for every batch in flight. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size) await Promise.all(this.inFlight);
  }
}
