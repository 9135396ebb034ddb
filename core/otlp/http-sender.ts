import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Logger } from 'pino';
import { PermanentError, RetryableError } from '../component.js';
import { redactUrl } from '../config/redact.js';
import type { Sender } from '../exporterhelper/index.js';
import type { Batch, Signal } from '../signals.js';
import { ENGINE_VERSION } from '../version.js';
import { type Compression, isRetryableStatus, type OtlpEncoding } from './config.js';
import { encodeRequest } from './encode.js';
import { readTls, type TlsSettings } from './tls.js';

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

/** The status, `Retry-After` and start of the body of an HTTP answer. */
interface Answer {
  status: number;
  statusText: string;
  retryAfter: string | undefined;
  body: Buffer;
}

const CONTENT_TYPES: Record<OtlpEncoding, string> = {
  proto: 'application/x-protobuf',
  json: 'application/json',
};
// Enough of an error body for the log line; the rest is read and thrown away.
const BODY_KEPT = 4096;
const BODY_SHOWN = 200;
// setTimeout's longest delay: a longer Retry-After would fire at once.
const LONGEST_WAIT = 2_147_483_647;
const gzipAsync = promisify(gzip);

/**
 * Sends batches of one signal over OTLP/HTTP, as a Sender for the exporter helper: each attempt is
 * one POST of the whole batch (one export request), on Node's http/https with a keep-alive agent.
 * 2xx is success; 429, 502, 503, 504 and network errors are RetryableError (a 429's or 503's
 * `Retry-After` rides along as `retryAfterMs`); any other status is a PermanentError. Retries, the
 * queue and the per-attempt timeout (through the abort signal) are the helper's.
 */
export class OtlpHttpSender<S extends Signal> implements Sender<S> {
  private readonly headers: Record<string, string>;
  /** The URL as errors and logs quote it: an embedding app's logger or caller may not redact. */
  private readonly shownUrl: string;
  private agent?: Promise<HttpAgent>;

  constructor(
    private readonly signal: S,
    private readonly settings: OtlpHttpSettings,
    private readonly logger: Logger,
  ) {
    const { encoding, compression } = settings;
    this.shownUrl = redactUrl(settings.url);
    this.headers = {
      'user-agent': `Tributary/${ENGINE_VERSION}`,
      ...settings.headers,
      'content-type': CONTENT_TYPES[encoding],
      ...(compression === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
    };
  }

  async start(): Promise<void> {
    await this.open();
  }

  async send(batch: Batch<S>, abort: AbortSignal): Promise<void> {
    if (batch.length === 0) return;
    const agent = await this.open();
    const body = await this.encode(batch);
    abort.throwIfAborted();
    const answer = await this.post(agent, body, abort);
    if (answer.status < 200 || answer.status >= 300) throw answerError(this.shownUrl, answer);
  }

  async shutdown(): Promise<void> {
    const agent = await this.agent?.catch(() => undefined);
    this.agent = undefined;
    // After the drain, a request still open belongs to a send the helper gave up on (timeout or
    // shutdown deadline): destroying the agent ends it now instead of when its socket times out.
    agent?.destroy();
  }

  /** The connection pool, made once; over https:// with the TLS files read and checked. */
  private open(): Promise<HttpAgent> {
    this.agent ??= (async () => {
      const { url, tls } = this.settings;
      if (url.startsWith('https:')) return new HttpsAgent({ keepAlive: true, ...(await readTls(tls)) });
      if (tls.ca_file || tls.cert_file || tls.insecure_skip_verify) {
        this.logger.warn(
          { url: this.shownUrl },
          'tls settings are ignored: the endpoint is http://, sent without TLS',
        );
      }
      return new HttpAgent({ keepAlive: true });
    })();
    return this.agent;
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

  private post(agent: HttpAgent, body: Uint8Array, abort: AbortSignal): Promise<Answer> {
    const { url } = this.settings;
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const headers = { ...this.headers, 'content-length': String(body.length) };
    return new Promise((resolve, reject) => {
      const failed = (err: Error) =>
        // No HTTP answer (refused, reset, DNS, TLS): the data is not at fault.
        reject(
          abort.aborted
            ? abort.reason
            : new RetryableError(`${this.shownUrl}: ${err.message}`, { cause: err }),
        );
      // Our own requests must not become spans when the host process runs HTTP instrumentation. From
      // the root context: reading the active one would switch on the MCP hooks' on-demand propagation.
      const req = context.with(suppressTracing(ROOT_CONTEXT), () =>
        request(url, { method: 'POST', agent, headers, signal: abort }),
      );
      req.on('error', failed);
      req.on('response', (res) => {
        res.on('error', failed);
        readAnswer(res).then(resolve);
      });
      req.end(body);
    });
  }
}

/** The answer, keeping the first BODY_KEPT bytes of its body and reading the rest so the connection is reused. */
function readAnswer(res: IncomingMessage): Promise<Answer> {
  // A connection cut mid-answer ends in res's 'error', which post() listens to.
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    res.on('data', (chunk: Buffer) => {
      if (kept >= BODY_KEPT) return;
      chunks.push(chunk);
      kept += chunk.length;
    });
    res.on('end', () => {
      const retryAfter = res.headers['retry-after'];
      resolve({
        status: res.statusCode ?? 0,
        statusText: res.statusMessage ?? '',
        retryAfter,
        body: Buffer.concat(chunks).subarray(0, BODY_KEPT),
      });
    });
  });
}

function answerError(url: string, answer: Answer): Error {
  const { status, statusText, body } = answer;
  const detail = printable(body);
  const message = `${url} answered HTTP ${status}${statusText ? ` ${statusText}` : ''}${detail ? `: ${detail}` : ''}`;
  if (!isRetryableStatus(status)) return new PermanentError(message);
  // The OTLP specification's throttling answers: 429 and 503 may say how long to wait.
  const retryAfterMs =
    status === 429 || status === 503 ? retryAfterOf(answer.retryAfter, Date.now()) : undefined;
  if (retryAfterMs === undefined) return new RetryableError(message);
  return new RetryableError(`${message} (Retry-After ${Math.ceil(retryAfterMs / 1000)}s)`, { retryAfterMs });
}

/** A `Retry-After` (delay-seconds or an HTTP-date) in milliseconds from `now`; undefined when absent or unreadable. */
function retryAfterOf(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), LONGEST_WAIT);
}

/** An answer body as one short line of printable text (a protobuf Status is binary). */
function printable(body: Buffer): string {
  let text = '';
  for (const char of body.toString('utf8')) {
    const code = char.codePointAt(0) ?? 0;
    text += code < 0x20 || code === 0x7f || code === 0xfffd ? ' ' : char;
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > BODY_SHOWN ? `${text.slice(0, BODY_SHOWN)}...` : text;
}
