import type { Extension } from '../component.js';
import type { Batch, Signal } from '../signals.js';

/** A key-value store owned by one component, handed out by a storage extension such as file_storage. */
export interface StorageClient {
  /** The value stored under `key`, or undefined when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;
  set(key: string, value: Uint8Array): Promise<void>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** The keys held that start with `prefix`, in no particular order: how a persistent queue finds its items after a restart. */
  keys(prefix: string): Promise<string[]>;
  /** Flushes and releases the client; it is not used afterwards. */
  close(): Promise<void>;
}

/** An extension that gives components durable storage, e.g. for a persistent sending queue. */
export interface StorageExtension extends Extension {
  /** A client private to `componentId` and `signal`: two exporters never see each other's keys. */
  getClient(componentId: string, signal: Signal): Promise<StorageClient>;
}

/** A batch in the sending queue, with its item count (spans, data points, log records). */
export interface QueuedBatch<S extends Signal> {
  batch: Batch<S>;
  items: number;
}

/**
 * The bounded FIFO of batches between an exporter's consume() and its sending workers. The in-memory
 * queue (queue.ts) implements it, and so does the persistent queue on a StorageClient (persistent-queue.ts).
 *
 * Life cycle: any number of producers call offer(); `num_consumers` workers loop on take(), send the
 * item, then call done(item) exactly once; at shutdown the exporter calls close() and waits until
 * take() returns undefined; if the drain deadline passes it calls abort().
 *
 * The `when_full` policy is not the queue's business: drop_newest is the exporter checking `size`
 * against `capacity` before it offers; offer() itself always waits for room.
 */
export interface BatchQueue<T> {
  /** Items held and not yet taken (items being sent are not counted). */
  readonly size: number;
  /** The most items held at once. */
  readonly capacity: number;
  /** Producers waiting in offer() for room (when_full: block). */
  readonly waiting: number;
  /**
   * Adds `item` at the tail and resolves once it is held (for a persistent queue: written to storage).
   * When full it waits, first come first served, until a take() makes room. Rejects once closed.
   */
  offer(item: T): Promise<void>;
  /**
   * Removes and returns the oldest item, waiting while the queue is empty. Resolves undefined once the
   * queue is closed and nothing is held or waiting in offer(), or once it is aborted.
   */
  take(): Promise<T | undefined>;
  /** The item from take() was sent or given up: forget it for good (a persistent queue deletes it). */
  done(item: T): Promise<void>;
  /** Refuses further offer()s. What is held, and offers already waiting for room, still come out of take(). */
  close(): void;
  /**
   * The drain deadline passed: drop what is held in memory (a persistent queue keeps it in storage to
   * send after the next start), reject waiting offer()s with `reason`, and end every take().
   */
  abort(reason: Error): void;
}
