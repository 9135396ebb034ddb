import { errors } from '@elastic/elasticsearch';
import type { Rejection } from './dead-letter.js';
import type { Doc } from './documents.js';

/** One document's result in a `_bulk` response (`filter_path` may leave only these fields). */
export interface BulkItem {
  status?: number;
  error?: { type?: string; reason?: string | null; caused_by?: unknown };
}

export interface BulkResponseBody {
  errors?: boolean;
  items?: Partial<Record<string, BulkItem>>[];
}

/** Sends one `_bulk` request: action and document lines, in pairs. */
export type BulkSend = (operations: string[]) => Promise<BulkResponseBody>;

/** What became of one document. */
export type Outcome =
  | { kind: 'indexed' }
  | { kind: 'retry'; reason: string }
  | { kind: 'rejected'; rejection: Rejection };

export interface FlushSettings {
  /** Send once the body reaches this many bytes. */
  bytes: number;
  /** Send once the first buffered document waited this long (ms); 0: at the end of each call. */
  interval: number;
  /** Send at once when this many calls wait on the buffer: no more documents can come before the interval. */
  callers: number;
}

const INDEXED: Outcome = { kind: 'indexed' };

/** One index() call: its documents, their outcomes as they arrive, and how to answer it. */
interface Call {
  readonly docs: readonly Doc[];
  readonly outcomes: Outcome[];
  left: number;
  /** Its documents in the buffer not yet sent. */
  buffered: number;
  readonly resolve: (outcomes: Outcome[]) => void;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

interface Entry {
  readonly call: Call;
  readonly slot: number;
}

/**
 * Gathers the documents of concurrent sends into `_bulk` requests of up to `flush.bytes`, sent when full,
 * when `flush.interval` passes, or when every sender that could add more is waiting. It reports the
 * outcome of each document and never rejects: a request that fails as a whole gives every document in
 * it the same outcome. A call whose signal aborts takes back the documents not yet sent (outcome
 * `retry`); those already in a request stay there, and their outcome is still reported when it comes.
 */
export class BulkIndexer {
  private entries: Entry[] = [];
  private bytes = 0;
  /** Calls with documents in the buffer. */
  private waiting = 0;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly send: BulkSend,
    private readonly settings: FlushSettings,
  ) {}

  /** Resolves with one outcome per document, in order. */
  index(docs: readonly Doc[], signal: AbortSignal): Promise<Outcome[]> {
    if (docs.length === 0) return Promise.resolve([]);
    if (this.closed || signal.aborted) {
      const why = this.closed ? 'the exporter is shutting down' : `not sent: ${reasonOf(signal.reason)}`;
      return Promise.resolve(docs.map(() => ({ kind: 'retry', reason: why })));
    }
    return new Promise((resolve) => {
      const call: Call = {
        docs,
        outcomes: new Array(docs.length),
        left: docs.length,
        buffered: 0,
        resolve,
        signal,
        onAbort: () => this.takeBack(call),
      };
      signal.addEventListener('abort', call.onAbort, { once: true });
      const { bytes: maxBytes } = this.settings;
      for (let slot = 0; slot < docs.length; slot++) {
        const doc = docs[slot] as Doc;
        if (this.entries.length > 0 && this.bytes + doc.bytes > maxBytes) this.flush();
        this.entries.push({ call, slot });
        this.bytes += doc.bytes;
        if (call.buffered++ === 0) this.waiting++;
      }
      if (this.settings.interval === 0 || this.waiting >= this.settings.callers) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.settings.interval);
    });
  }

  /** Stops taking documents, gives back what is buffered (outcome `retry`) and waits for requests in flight. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const entries = this.takeEntries();
    for (const entry of entries) settle(entry, { kind: 'retry', reason: 'the exporter shut down' });
    await Promise.allSettled([...this.inflight]);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const entries = this.takeEntries();
    if (entries.length === 0) return;
    const request = this.request(entries).finally(() => this.inflight.delete(request));
    this.inflight.add(request);
  }

  private takeEntries(): Entry[] {
    const entries = this.entries;
    this.entries = [];
    this.bytes = 0;
    this.waiting = 0;
    for (const entry of entries) entry.call.buffered = 0;
    return entries;
  }

  /** An aborted call takes back what was not sent yet. */
  private takeBack(call: Call): void {
    if (call.buffered === 0) return;
    const kept: Entry[] = [];
    const taken: Entry[] = [];
    let bytes = 0;
    for (const entry of this.entries) {
      if (entry.call === call) taken.push(entry);
      else {
        kept.push(entry);
        bytes += (entry.call.docs[entry.slot] as Doc).bytes;
      }
    }
    this.entries = kept;
    this.bytes = bytes;
    this.waiting--;
    call.buffered = 0;
    if (kept.length === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const outcome: Outcome = { kind: 'retry', reason: `not sent: ${reasonOf(call.signal.reason)}` };
    for (const entry of taken) settle(entry, outcome);
  }

  private async request(entries: Entry[]): Promise<void> {
    const operations = new Array<string>(entries.length * 2);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as Entry;
      const doc = entry.call.docs[entry.slot] as Doc;
      operations[2 * i] = doc.action;
      operations[2 * i + 1] = doc.source;
    }
    let body: BulkResponseBody;
    try {
      body = await this.send(operations);
    } catch (err) {
      const outcome = requestOutcome(err);
      for (const entry of entries) settle(entry, outcome);
      return;
    }
    const items = typeof body === 'object' && body !== null ? body.items : undefined;
    if (!Array.isArray(items)) {
      const outcome: Outcome = { kind: 'retry', reason: 'the _bulk response has no items' };
      for (const entry of entries) settle(entry, outcome);
      return;
    }
    for (let i = 0; i < entries.length; i++) {
      settle(entries[i] as Entry, body.errors === false ? INDEXED : itemOutcome(items[i]));
    }
  }
}

function settle(entry: Entry, outcome: Outcome): void {
  const call = entry.call;
  call.outcomes[entry.slot] = outcome;
  if (--call.left === 0) {
    call.signal.removeEventListener('abort', call.onAbort);
    call.resolve(call.outcomes);
  }
}

/** 429 and 5xx are worth another try; any other refusal is about the document itself. */
function itemOutcome(item: Partial<Record<string, BulkItem>> | undefined): Outcome {
  let result: BulkItem | undefined;
  for (const op in item) {
    result = item[op];
    break;
  }
  const status = result?.status;
  if (status === undefined) return { kind: 'retry', reason: 'Elasticsearch sent no result for the document' };
  if (status >= 200 && status < 300) return INDEXED;
  const type = result?.error?.type ?? `http_${status}`;
  const reason = result?.error?.reason ?? '';
  if (status === 429 || status >= 500) return { kind: 'retry', reason: `${status} ${type}: ${reason}` };
  const rejection: Rejection = { status, type, reason };
  if (result?.error?.caused_by !== undefined) rejection.caused_by = result.error.caused_by;
  return { kind: 'rejected', rejection };
}

/**
 * A request that failed as a whole. A 400 or 413 would fail again the same way: its documents go to the
 * dead-letter file. Anything else (connection refused, timeout, 429, 5xx, 401/403 until the credentials
 * are fixed, a server that is not Elasticsearch) is retried.
 */
function requestOutcome(err: unknown): Outcome {
  if (err instanceof errors.ResponseError) {
    const status = err.statusCode ?? 0;
    const body = err.body as { error?: { type?: string; reason?: string } | string } | undefined;
    const error = typeof body?.error === 'object' ? body.error : undefined;
    const type = error?.type ?? `http_${status}`;
    if (status === 400 || status === 413) {
      const reason =
        status === 413
          ? 'the bulk request is larger than the server accepts: lower flush.bytes'
          : (error?.reason ?? err.message);
      return { kind: 'rejected', rejection: { status, type, reason } };
    }
    return {
      kind: 'retry',
      reason: `request failed with ${status} ${type}${error?.reason ? `: ${error.reason}` : ''}`,
    };
  }
  return { kind: 'retry', reason: `request failed: ${reasonOf(err)}` };
}

function reasonOf(err: unknown): string {
  if (err instanceof Error)
    return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}
