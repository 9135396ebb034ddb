import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Logger } from 'pino';
import { PermanentError } from '../component.js';
import type { Sender } from '../exporterhelper/index.js';
import { answerError, HttpPoster, isSuccess } from '../http/client.js';
import type { Batch, Signal } from '../signals.js';
import type { Compression, OtlpEncoding } from './config.js';
import { encodeRequest } from './encode.js';
import type { TlsSettings } from './tls.js';

/** Where and how one signal is sent over OTLP/HTTP. */
export interface OtlpHttpSettings {
  /** The full URL, path included (`http://localhost:4318/v1/traces`). */
  url: string;
  encoding: OtlpEncoding;
  headers: Readonly<Record<string, string>>;
  compression: Compression;
  /** Used when `url` is https://. */
  tls: TlsSettings;
}

const CONTENT_TYPES: Record<OtlpEncoding, string> = {
  proto: 'application/x-protobuf',
  json: 'application/json',
};
const gzipAsync = promisify(gzip);

/**
 * Sends batches of one signal over OTLP/HTTP, as a Sender for the exporter helper: each attempt is
 * one POST of the whole batch (one export request), on core/http's keep-alive client. 2xx is
 * success; 429, 502, 503, 504 and network errors are RetryableError (a 429's or 503's `Retry-After`
 * rides along as `retryAfterMs`); any other status is a PermanentError. Retries, the queue and the
 * per-attempt timeout (through the abort signal) are the helper's.
 */
export class OtlpHttpSender<S extends Signal> implements Sender<S> {
  private readonly headers: Record<string, string>;
  private readonly poster: HttpPoster;

  constructor(
    private readonly signal: S,
    private readonly settings: OtlpHttpSettings,
    logger: Logger,
  ) {
    const { url, headers, tls, encoding, compression } = settings;
    this.poster = new HttpPoster({ url, headers, tls, tlsErrorCode: 'TRB_EXPORTER_OTLP_TLS' }, logger);
    this.headers = {
      'content-type': CONTENT_TYPES[encoding],
      ...(compression === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
    };
  }

  async start(): Promise<void> {
    await this.poster.open();
  }

  async send(batch: Batch<S>, abort: AbortSignal): Promise<void> {
    if (batch.length === 0) return;
    const body = await this.encode(batch);
    const answer = await this.poster.post(body, this.headers, abort);
    if (!isSuccess(answer)) throw answerError(this.poster.shownUrl, answer);
  }

  shutdown(): Promise<void> {
    return this.poster.shutdown();
  }

  private async encode(batch: Batch<S>): Promise<Uint8Array> {
    const { encoding, compression } = this.settings;
    let body: Uint8Array;
    try {
      body = encodeRequest(this.signal, encoding, batch);
    } catch (err) {
      // The batch cannot be encoded, and never will be.
      throw new PermanentError(`cannot encode the batch as OTLP/${encoding}: ${(err as Error).message}`);
    }
    return compression === 'gzip' ? gzipAsync(body) : body;
  }
}
