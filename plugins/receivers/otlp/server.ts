import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Counter, Meter } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { type Consumer, PermanentError, RetryableError } from '../../../core/component.js';
import { HttpListener } from '../../../core/http/listen.js';
import { answerText } from '../../../core/http/server.js';
import { decodeRequest, type RequestEncoding } from '../../../core/otlp/decode/convert.js';
import { DecodeError } from '../../../core/otlp/decode/protobuf.js';
import type { Batch, Signal } from '../../../core/signals.js';
import { InFlight, readBody } from './body.js';
import type { OtlpHttpServerSettings } from './config.js';
import { limitAttributeValues } from './limits.js';
import { CONTENT_TYPES, exportResponse, statusResponse } from './response.js';

// gRPC status codes the OTLP/HTTP specification puts in a failure's google.rpc.Status.
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;
/** Seconds a client is asked to wait when the pipeline refuses without saying how long. */
const DEFAULT_RETRY_AFTER_S = 5;

type Reason = 'too_large' | 'throttled' | 'bad_request' | 'unsupported_media_type' | 'pipeline_refused';

/** How a body refused while it was read is answered. */
const REFUSALS = {
  too_large: { status: 413, grpcCode: RESOURCE_EXHAUSTED, reason: 'too_large' },
  throttled: { status: 429, grpcCode: RESOURCE_EXHAUSTED, reason: 'throttled' },
  bad_gzip: { status: 400, grpcCode: INVALID_ARGUMENT, reason: 'bad_request' },
} as const satisfies Record<string, { status: number; grpcCode: number; reason: Reason }>;

/**
 * The OTLP/HTTP endpoint one `otlp` receiver id listens on, shared by its traces, metrics and logs
 * instances: it listens while any of them runs and routes each signal's path to its pipelines.
 */
export class OtlpHttpServer {
  private readonly listener: HttpListener;
  private listening?: Promise<void>;
  private readonly consumers = new Map<Signal, Consumer>();
  private readonly paths: Map<string, Signal>;
  private readonly inFlight: InFlight;
  private readonly refusedRequests: Counter;
  private readonly rejectedItems: Counter;
  private readonly truncatedValues: Counter;

  constructor(
    private readonly settings: OtlpHttpServerSettings,
    private readonly id: string,
    private readonly logger: Logger,
    meter: Meter,
  ) {
    this.paths = new Map([
      [settings.traces_url_path, 'traces'],
      [settings.metrics_url_path, 'metrics'],
      [settings.logs_url_path, 'logs'],
    ]);
    this.inFlight = new InFlight(settings.max_in_flight_size);
    const { host, port } = settings.endpoint;
    this.listener = new HttpListener(
      {
        host,
        port,
        endpointPath: `receivers.${id}.protocols.http.endpoint`,
        kind: 'receiver',
        onError: (err) => logger.warn({ err: err.message }, 'OTLP/HTTP server error'),
        security: settings,
      },
      (req, res) => {
        this.handle(req, res).catch((err: Error) => {
          // A client that went away mid-body needs no answer; anything else is a bug, logged with its stack.
          // (Not `req.destroyed`: a request whose body was read whole is destroyed too, and still waits.)
          if (req.socket.destroyed) return;
          this.logger.error({ err }, 'OTLP/HTTP request failed');
          if (!res.headersSent) answerText(res, 500, 'internal error: see the receiver log\n');
        });
      },
    );
    this.refusedRequests = meter.createCounter('tributary_receiver_otlp_refused_requests', {
      description: 'OTLP/HTTP requests answered with an error, by reason',
      unit: '{request}',
    });
    this.truncatedValues = meter.createCounter('tributary_receiver_otlp_truncated_attribute_values', {
      description: 'String attribute values (and log bodies) cut to max_attribute_value_size',
      unit: '{value}',
    });
    this.rejectedItems = meter.createCounter('tributary_receiver_otlp_rejected_items', {
      description: 'Items of accepted requests that could not be represented (reported as partial_success)',
      unit: '{item}',
    });
  }

  /** The bound address (the real port when 0 was configured); undefined while not listening. */
  get address(): AddressInfo | undefined {
    return this.listener.address;
  }

  /** Where senders send (https when it serves TLS); undefined until it listens. */
  get url(): string | undefined {
    return this.listener.url('');
  }

  /** Starts taking `signal` (listening first if no signal was running). */
  async start(signal: Signal, next: Consumer): Promise<void> {
    this.listening ??= this.listener.listen().catch((err) => {
      this.listening = undefined;
      throw err;
    });
    await this.listening;
    this.consumers.set(signal, next);
  }

  /** Stops taking `signal`; the last one to stop closes the listener and its connections. */
  async shutdown(signal: Signal): Promise<void> {
    this.consumers.delete(signal);
    if (this.consumers.size > 0 || !this.listening) return;
    this.listening = undefined;
    await this.listener.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const signal = this.paths.get(query < 0 ? url : url.slice(0, query));
    const next = signal && this.consumers.get(signal);
    if (!signal || !next) {
      const served = [...this.paths].filter(([, s]) => this.consumers.has(s)).map(([p]) => p);
      return answerText(res, 404, `not found: OTLP/HTTP takes POST on ${served.join(', ')}\n`);
    }
    if (req.method !== 'POST')
      return answerText(res, 405, 'method not allowed: use POST\n', { allow: 'POST' });
    const encoding = encodingOf(req.headers['content-type']);
    if (!encoding) {
      this.count('unsupported_media_type', signal);
      return answerText(
        res,
        415,
        'unsupported Content-Type: use application/x-protobuf or application/json\n',
      );
    }
    const contentEncoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (contentEncoding !== 'gzip' && contentEncoding !== 'identity') {
      this.count('unsupported_media_type', signal);
      return answerText(res, 415, 'unsupported Content-Encoding: use gzip or none\n');
    }
    const body = await readBody(
      req,
      contentEncoding === 'gzip',
      this.settings.max_request_body_size,
      this.inFlight,
    );
    try {
      if ('refused' in body) {
        const { status, grpcCode, reason } = REFUSALS[body.refused];
        this.count(reason, signal);
        const retry = status === 429 ? { 'retry-after': '1' } : undefined;
        return answer(res, status, encoding, statusResponse(encoding, grpcCode, body.message), retry);
      }
      await this.export(signal, next, encoding, body.bytes, res);
    } finally {
      this.inFlight.release(body.held);
    }
  }

  private async export(
    signal: Signal,
    next: Consumer,
    encoding: RequestEncoding,
    bytes: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    let converted: ReturnType<typeof decodeRequest>;
    try {
      converted = decodeRequest(signal, encoding, bytes);
    } catch (err) {
      if (!(err instanceof DecodeError || err instanceof RangeError)) throw err;
      this.count('bad_request', signal);
      const message = `cannot decode the body as an OTLP ${signal} request (${encoding}): ${err.message}`;
      return answer(res, 400, encoding, statusResponse(encoding, INVALID_ARGUMENT, message));
    }
    const { items, rejected, what } = converted;
    if (rejected > 0) this.rejectedItems.add(rejected, { component: this.id, signal });
    const cut = limitAttributeValues(
      signal,
      items as Batch<typeof signal>,
      this.settings.max_attribute_value_size,
    );
    if (cut > 0) this.truncatedValues.add(cut, { component: this.id, signal });
    // A request with nothing the pipeline can take (only summaries, say) is answered without it.
    const empty = signal === 'metrics' ? !hasMetrics(items) : items.length === 0;
    if (!empty) {
      try {
        await next.consume(items as never);
      } catch (err) {
        this.count('pipeline_refused', signal);
        const message = `the pipeline refused the data: ${(err as Error).message}`;
        if (err instanceof PermanentError) {
          return answer(res, 400, encoding, statusResponse(encoding, INVALID_ARGUMENT, message));
        }
        const retryAfterMs = err instanceof RetryableError ? err.retryAfterMs : undefined;
        const seconds = retryAfterMs === undefined ? DEFAULT_RETRY_AFTER_S : Math.ceil(retryAfterMs / 1000);
        return answer(res, 503, encoding, statusResponse(encoding, UNAVAILABLE, message), {
          'retry-after': String(seconds),
        });
      }
    }
    const errorMessage = rejected > 0 ? `${rejected} ${what} were rejected` : '';
    answer(res, 200, encoding, exportResponse(signal, encoding, rejected, errorMessage));
  }

  private count(reason: Reason, signal: Signal): void {
    this.refusedRequests.add(1, { component: this.id, signal, reason });
  }
}

/** The encoding a Content-Type names (parameters such as charset ignored), or undefined. */
function encodingOf(contentType: string | undefined): RequestEncoding | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === CONTENT_TYPES.proto) return 'proto';
  if (type === CONTENT_TYPES.json) return 'json';
  return undefined;
}

/** True when some ResourceMetrics holds a metric (a request of only summaries holds none). */
function hasMetrics(items: unknown[]): boolean {
  return (items as { scopeMetrics: { metrics: unknown[] }[] }[]).some((rm) =>
    rm.scopeMetrics.some((sm) => sm.metrics.length > 0),
  );
}

function answer(
  res: ServerResponse,
  status: number,
  encoding: RequestEncoding,
  body: Buffer,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': CONTENT_TYPES[encoding], 'content-length': body.length, ...extra });
  res.end(body);
}
