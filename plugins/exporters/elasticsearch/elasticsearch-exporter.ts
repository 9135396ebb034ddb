import { readFile } from 'node:fs/promises';
import { Client } from '@elastic/elasticsearch';
import type { Attributes, Counter } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { type Exporter, type Host, PermanentError, RetryableError } from '../../../core/component.js';
import { TributaryError } from '../../../core/errors.js';
import type { Sender } from '../../../core/exporterhelper/index.js';
import type { CreateContext } from '../../../core/plugin.js';
import type { Batch } from '../../../core/signals.js';
import { componentAttributes, componentLogger } from '../../../core/telemetry/attributes.js';
import { BulkIndexer, type BulkResponseBody } from './bulk-indexer.js';
import type { ElasticsearchConfig } from './config.js';
import {
  acquireDeadLetterFile,
  type DeadLetter,
  type DeadLetterFile,
  deadLetterLine,
  releaseDeadLetterFile,
} from './dead-letter.js';
import { type Doc, DocumentEncoder } from './documents.js';

type DocSignal = 'logs' | 'traces';
type ClientOptions = ConstructorParameters<typeof Client>[0];

/** Only what Elasticsearch needs to answer per document: less to send back and to parse. */
const FILTER_PATH = 'errors,items.*.status,items.*.error';

/**
 * What is left of one batch between the attempts of the exporter helper: the documents not indexed yet
 * and the rejected ones not yet in the dead-letter file. A retry sends only these, so no document that
 * Elasticsearch accepted is sent twice.
 */
interface Pending {
  remaining: Doc[];
  deadLetters: DeadLetter[];
  /** The attempt still running. It keeps going after its send timed out, and records what happened. */
  inflight?: Promise<void>;
  error?: Error;
}

/** Sends log records or spans to Elasticsearch with the `_bulk` API, honouring each document's result. */
export class ElasticsearchSender<S extends DocSignal> implements Sender<S> {
  private readonly config: ElasticsearchConfig;
  private readonly encoder: DocumentEncoder;
  private readonly logger: Logger;
  private readonly deadLettered: Counter;
  private readonly attributes: Attributes;
  private readonly pending = new WeakMap<object, Pending>();
  /** Aborts requests still in flight at shutdown (only after the drain deadline passed). */
  private readonly closing = new AbortController();
  private client?: Client;
  private indexer?: BulkIndexer;
  private deadLetterFile?: DeadLetterFile;

  constructor(
    private readonly signal: S,
    private readonly ctx: CreateContext<ElasticsearchConfig>,
  ) {
    this.config = ctx.config;
    this.encoder = new DocumentEncoder(signal, ctx.config);
    this.logger = componentLogger(ctx.logger, ctx.id, signal);
    this.attributes = componentAttributes(ctx, signal);
    this.deadLettered = ctx.meter.createCounter('tributary_exporter_dead_lettered_items', {
      description:
        'Documents Elasticsearch rejected (e.g. a mapping error) that were written to the dead-letter file.',
      unit: '{item}',
    });
  }

  async start(host: Host): Promise<void> {
    const { config } = this;
    const client = new Client(await clientOptions(config));
    const { sending_queue: queue } = config;
    this.client = client;
    this.indexer = new BulkIndexer((operations) => this.bulk(client, operations), {
      bytes: config.flush.bytes,
      interval: config.flush.interval,
      // Without the queue, consume() waits for its send: nothing else will come before the interval.
      callers: queue.enabled ? queue.num_consumers : 1,
    });
    const file = acquireDeadLetterFile(config.dead_letter.path);
    this.deadLetterFile = file;
    const problem = await file.checkWritable();
    if (problem) {
      const error = new TributaryError(
        'TRB_EXPORTER_DEAD_LETTER_WRITE',
        `the dead-letter file ${file.path} cannot be written: ${problem}`,
        {},
        'make dead_letter.path writable; until then, rejected documents are kept and retried',
      );
      this.logger.warn({ path: file.path, error: error.format() }, 'dead-letter file is not writable');
      host.reportStatus('recoverable_error', error);
    }
  }

  async send(batch: Batch<S>, signal: AbortSignal): Promise<void> {
    const state = this.pending.get(batch) ?? this.begin(batch);
    // An earlier attempt that timed out may still be waiting for its response: its result decides what is left.
    while (state.inflight) await settledOrAborted(state.inflight, signal);
    signal.throwIfAborted();
    state.inflight = this.attempt(state, signal);
    await settledOrAborted(state.inflight, signal);
    if (state.error) throw state.error;
    this.pending.delete(batch);
  }

  async shutdown(): Promise<void> {
    const { indexer, client, deadLetterFile } = this;
    this.indexer = this.client = this.deadLetterFile = undefined;
    this.closing.abort(new RetryableError('the exporter shut down'));
    await indexer?.close();
    await client?.close();
    if (deadLetterFile) await releaseDeadLetterFile(deadLetterFile);
  }

  private begin(batch: Batch<S>): Pending {
    let docs: Doc[];
    try {
      docs = this.encoder.encode(batch);
    } catch (err) {
      throw new PermanentError(
        `cannot encode ${this.signal} as Elasticsearch documents: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    const state: Pending = { remaining: docs, deadLetters: [] };
    this.pending.set(batch, state);
    return state;
  }

  /** One attempt: index what is left, then write what was rejected. Never rejects; the outcome is in `state`. */
  private async attempt(state: Pending, signal: AbortSignal): Promise<void> {
    try {
      state.error = undefined;
      const indexer = this.indexer;
      if (!indexer) throw new RetryableError('the exporter is not running');
      await this.writeDeadLetters(state); // rejected on an earlier attempt, when the file could not be written
      const docs = state.remaining;
      if (docs.length === 0) return;
      const outcomes = await indexer.index(docs, signal);
      const retry: Doc[] = [];
      let firstReason = '';
      for (let i = 0; i < docs.length; i++) {
        const outcome = outcomes[i];
        const doc = docs[i] as Doc;
        if (outcome?.kind === 'indexed') continue;
        if (outcome?.kind === 'rejected') state.deadLetters.push({ doc, rejection: outcome.rejection });
        else {
          retry.push(doc);
          firstReason ||= outcome?.reason ?? 'no outcome';
        }
      }
      state.remaining = retry;
      await this.writeDeadLetters(state);
      if (retry.length > 0) {
        state.error = new RetryableError(
          `${retry.length} of ${docs.length} documents not indexed (${firstReason}); only those are sent again`,
        );
      }
    } catch (err) {
      state.error = err instanceof Error ? err : new Error(String(err));
    } finally {
      state.inflight = undefined;
    }
  }

  /** Appends the rejected documents to the dead-letter file; on failure they stay in `state` for the next attempt. */
  private async writeDeadLetters(state: Pending): Promise<void> {
    const letters = state.deadLetters;
    const file = this.deadLetterFile;
    if (letters.length === 0) return;
    if (!file) throw new RetryableError('the exporter is not running');
    const now = new Date().toISOString();
    let text = '';
    for (const letter of letters)
      text += deadLetterLine(letter, this.ctx.id, this.signal, this.encoder.opType, now);
    await file.append(text);
    state.deadLetters = [];
    this.deadLettered.add(letters.length, this.attributes);
    const first = (letters[0] as DeadLetter).rejection;
    this.logger.warn(
      {
        items: letters.length,
        path: file.path,
        status: first.status,
        error_type: first.type,
        reason: first.reason,
      },
      `Elasticsearch rejected ${letters.length === 1 ? '1 document' : `${letters.length} documents`}; written to the dead-letter file`,
    );
  }

  private async bulk(client: Client, operations: string[]): Promise<BulkResponseBody> {
    return (await client.bulk(
      { operations, filter_path: FILTER_PATH },
      // The exporter must not trace its own requests into the pipelines it serves.
      { signal: this.closing.signal, openTelemetry: { enabled: false } },
    )) as BulkResponseBody;
  }
}

async function clientOptions(config: ElasticsearchConfig): Promise<ClientOptions> {
  const options: ClientOptions = {
    nodes: config.endpoints,
    // The exporter helper retries, with backoff, and only what is left to send.
    maxRetries: 0,
    tls: { rejectUnauthorized: !config.tls.insecure_skip_verify },
  };
  if (config.timeout > 0) options.requestTimeout = config.timeout;
  const { api_key, username, password } = config.auth ?? {};
  if (api_key) options.auth = { apiKey: api_key };
  else if (username) options.auth = { username, password: password ?? '' };
  const caFile = config.tls.ca_file;
  if (caFile) {
    try {
      (options.tls as NonNullable<ClientOptions['tls']>).ca = await readFile(caFile, 'utf8');
    } catch (err) {
      const error = new TributaryError(
        'TRB_EXPORTER_ELASTICSEARCH_TLS',
        `cannot read tls.ca_file ${caFile}: ${err instanceof Error ? err.message : String(err)}`,
        {},
        'point tls.ca_file at the PEM file of the CA that signed the Elasticsearch certificate',
      );
      error.cause = err;
      throw error;
    }
  }
  return options;
}

/** Waits for `work` to settle, or rejects with the signal's reason when it aborts first. */
function settledOrAborted(work: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/**
 * The exporter helper retries a batch by sending the same array again; the sender keys what is left of
 * a batch by that array. A fresh array per consume() keeps two deliveries of one batch apart (two
 * pipelines sharing a receiver and this exporter hand it the same array).
 */
export function distinctBatches<S extends DocSignal>(exporter: Exporter<S>): Exporter<S> {
  return {
    start: (host) => exporter.start(host),
    shutdown: () => exporter.shutdown(),
    consume: (batch) => exporter.consume(batch.slice() as Batch<S>),
  };
}
