import type { BatchQueue } from './storage.js';

const DONE: Promise<void> = Promise.resolve();

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (reason: Error) => void;
}

/** The in-memory sending queue: a ring buffer of `capacity` items. */
export class MemoryQueue<T> implements BatchQueue<T> {
  private readonly ring: (T | undefined)[];
  private head = 0;
  private held = 0;
  private closed = false;
  /** Producers waiting for room (when_full: block). */
  private readonly offers: Waiting<T>[] = [];
  /** Consumers waiting for an item. */
  private readonly takers: ((item: T | undefined) => void)[] = [];

  constructor(readonly capacity: number) {
    this.ring = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.held;
  }

  get waiting(): number {
    return this.offers.length;
  }

  offer(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the sending queue is closed'));
    const taker = this.takers.shift();
    if (taker) {
      // An idle consumer takes it straight away; it never sits in the ring.
      taker(item);
      return DONE;
    }
    if (this.held < this.capacity) {
      this.push(item);
      return DONE;
    }
    return new Promise<void>((resolve, reject) => {
      this.offers.push({ item, resolve, reject });
    });
  }

  take(): Promise<T | undefined> {
    if (this.held > 0) {
      const item = this.ring[this.head] as T;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.held--;
      this.admitWaitingOffer();
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.takers.push(resolve);
    });
  }

  done(_item: T): Promise<void> {
    return DONE;
  }

  close(): void {
    this.closed = true;
    // Nothing is held, so nothing can wait in offer(): idle consumers are finished.
    if (this.held === 0) this.releaseTakers();
  }

  abort(reason: Error): void {
    this.closed = true;
    this.ring.fill(undefined);
    this.held = 0;
    for (const waiting of this.offers.splice(0)) waiting.reject(reason);
    this.releaseTakers();
  }

  private push(item: T): void {
    this.ring[(this.head + this.held) % this.capacity] = item;
    this.held++;
  }

  private admitWaitingOffer(): void {
    const waiting = this.offers.shift();
    if (!waiting) return;
    this.push(waiting.item);
    waiting.resolve();
  }

  private releaseTakers(): void {
    for (const taker of this.takers.splice(0)) taker(undefined);
  }
}
