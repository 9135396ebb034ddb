import type { Logger } from 'pino';
import { PermanentError } from '../component.js';
import { describeError } from '../errors.js';
import { decodeRequest } from '../otlp/decode/convert.js';
import { encodeRequest } from '../otlp/encode.js';
import type { Batch, Signal } from '../signals.js';
import type { BatchQueue, QueuedBatch, StorageClient } from './storage.js';

/** `item/<seq>/<items>`: a queued batch as OTLP protobuf, in order of seq, with its item count in the key. */
const ITEM = 'item/';
/** `sending/<seq>`: the batch was taken for sending; found at start, it may have been sent already. */
const SENDING = 'sending/';
const EMPTY = new Uint8Array(0);

/** What a persistent queue found in storage when it opened: sent first, before anything new. */
export interface Recovered {
  batches: number;
  items: number;
  /** Items of the batches that were being sent when the last run stopped: they may arrive twice. */
  redeliveredItems: number;
}

/** Told when a stored batch cannot be read back (a corrupt record, a failed read): it is not sent. */
export type OnLost = (items: number, reason: string) => void;

interface Waiting<S extends Signal> {
  item: QueuedBatch<S>;
  resolve: () => void;
  reject: (reason: Error) => void;
}

interface Taken<S extends Signal> extends QueuedBatch<S> {
  key: string;
}

/**
 * The sending queue on a StorageClient (the Collector's persistent queue): offer() resolves once the
 * batch is written to storage, so a receiver is told "accepted" only for what survives a kill -9;
 * done() deletes it. Memory holds only the keys of what is queued: batches are read back when taken.
 */
export class PersistentQueue<S extends Signal> implements BatchQueue<QueuedBatch<S>> {
  private client?: StorageClient;
  /** Keys of the stored batches not yet taken, oldest first, from `head` on. */
  private keys: string[] = [];
  private head = 0;
  private nextSeq = 0;
  /** Offers being written: they hold a place. */
  private writing = 0;
  private closed = false;
  private aborted = false;
  private readonly offers: Waiting<S>[] = [];
  private readonly takers: ((item: QueuedBatch<S> | undefined) => void)[] = [];

  constructor(
    readonly capacity: number,
    private readonly signal: S,
    private readonly logger: Logger,
    private readonly onLost: OnLost,
  ) {}

  get size(): number {
    return this.keys.length - this.head + this.writing;
  }

  get waiting(): number {
    return this.offers.length;
  }

  /** Items of the offers waiting for room: not stored yet, so lost when the queue is aborted. */
  get waitingItems(): number {
    return this.offers.reduce((sum, waiting) => sum + waiting.item.items, 0);
  }

  /** Starts on `client`: what it holds from the last run is queued first. */
  async open(client: StorageClient): Promise<Recovered> {
    this.client = client;
    const stored = (await client.keys(ITEM)).sort();
    const storedSeqs = new Set(stored.map(seqOf));
    let items = 0;
    for (const key of stored) items += itemsOf(key);
    let redeliveredItems = 0;
    for (const marker of await client.keys(SENDING)) {
      const seq = marker.slice(SENDING.length);
      if (storedSeqs.has(seq))
        redeliveredItems += itemsOf(stored.find((key) => seqOf(key) === seq) as string);
      else await client.delete(marker);
    }
    this.keys = stored;
    const last = stored.at(-1);
    this.nextSeq = last === undefined ? 0 : Number(seqOf(last)) + 1;
    return { batches: stored.length, items, redeliveredItems };
  }

  async offer(item: QueuedBatch<S>): Promise<void> {
    if (this.closed) throw new Error('the sending queue is closed');
    if (this.size >= this.capacity) {
      await new Promise<void>((resolve, reject) => {
        this.offers.push({ item, resolve, reject });
      });
    } else {
      await this.store(item);
    }
  }

  async take(): Promise<QueuedBatch<S> | undefined> {
    while (!this.aborted) {
      const key = this.nextKey();
      if (key === undefined) {
        if (this.closed && this.writing === 0) return undefined;
        return new Promise((resolve) => this.takers.push(resolve));
      }
      this.admitWaitingOffer();
      const taken = await this.read(key);
      if (taken) return taken;
    }
    return undefined;
  }

  async done(item: QueuedBatch<S>): Promise<void> {
    // Aborted at the drain deadline: what was not sent stays stored for the next start.
    if (this.aborted) return;
    const key = (item as Taken<S>).key;
    try {
      await this.client?.delete(key);
      await this.client?.delete(SENDING + seqOf(key));
    } catch (err) {
      this.logger.warn(
        { error: describeError(err) },
        'cannot delete a sent batch from storage; it will be sent again after a restart',
      );
    }
  }

  close(): void {
    this.closed = true;
    if (this.size === 0) this.releaseTakers();
  }

  abort(reason: Error): void {
    this.closed = this.aborted = true;
    this.keys = [];
    this.head = 0;
    for (const waiting of this.offers.splice(0)) waiting.reject(reason);
    this.releaseTakers();
  }

  /** Writes the batch; then an idle worker takes it as it is, or it waits in storage. */
  private async store(item: QueuedBatch<S>): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('the persistent sending queue is not open yet');
    const key = `${ITEM}${String(this.nextSeq++).padStart(16, '0')}/${item.items}`;
    this.writing++;
    try {
      await client.set(key, encode(this.signal, item.batch));
    } finally {
      this.writing--;
    }
    const taker = this.takers.shift();
    if (!taker) {
      this.keys.push(key);
      return;
    }
    await this.markSending(key);
    taker({ ...item, key } as Taken<S>);
    // The last write of a closed queue went straight to a worker: the idle ones are finished.
    if (this.closed && this.size === 0 && this.offers.length === 0) this.releaseTakers();
  }

  /** The stored batch under `key`, marked as being sent; undefined (counted as lost) when it cannot be read. */
  private async read(key: string): Promise<Taken<S> | undefined> {
    const items = itemsOf(key);
    try {
      const value = await this.client?.get(key);
      if (value === undefined) throw new Error('it is no longer in storage');
      const batch = decodeRequest(this.signal, 'proto', value).items as Batch<S>;
      await this.markSending(key);
      return { batch, items, key };
    } catch (err) {
      // Aborted meanwhile (the storage may be closed): the batch is still stored for the next start.
      if (this.aborted) return undefined;
      this.onLost(items, `cannot read a stored batch back: ${describeError(err)}`);
      await this.client?.delete(key).catch(() => {});
      return undefined;
    }
  }

  /** Never fails: a mark that cannot be written (a full disk) only means a redelivery goes uncounted. */
  private async markSending(key: string): Promise<void> {
    try {
      await this.client?.set(SENDING + seqOf(key), EMPTY);
    } catch (err) {
      this.logger.debug({ error: describeError(err) }, 'cannot mark a batch as being sent');
    }
  }

  /** The oldest key not yet taken; the taken ones are let go of in steps, not one shift() each. */
  private nextKey(): string | undefined {
    const key = this.keys[this.head];
    if (key === undefined) return undefined;
    this.head++;
    if (this.head === this.keys.length) {
      this.keys = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.keys.length) {
      this.keys = this.keys.slice(this.head);
      this.head = 0;
    }
    return key;
  }

  private admitWaitingOffer(): void {
    const waiting = this.offers.shift();
    if (waiting) this.store(waiting.item).then(waiting.resolve, waiting.reject);
  }

  private releaseTakers(): void {
    for (const taker of this.takers.splice(0)) taker(undefined);
  }
}

/** The batch as OTLP protobuf; a batch that cannot be encoded never will be: a PermanentError. */
function encode<S extends Signal>(signal: S, batch: Batch<S>): Uint8Array {
  try {
    return encodeRequest(signal, 'proto', batch);
  } catch (err) {
    throw new PermanentError(`cannot encode the batch to store it: ${describeError(err)}`);
  }
}

function seqOf(key: string): string {
  return key.slice(ITEM.length, ITEM.length + 16);
}

function itemsOf(key: string): number {
  return Number(key.slice(ITEM.length + 17));
}
