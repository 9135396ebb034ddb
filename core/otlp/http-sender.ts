import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { context } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Logger } from 'pino';
import { PermanentError, RetryableError } from '../component.js';
import type { Sender } from '../exporterhelper/index.js';
import type { Batch, Signal } from '../signals.js';
import { ENGINE_VERSION } from '../version.js';
import { type Compression, isRetryableStatus, type OtlpEncoding } from './config.js';

/** Where and how one signal is sent over OTLP/HTTP. */
export interface OtlpHttpSettings {
  /** The full URL, path included (`http://localhost:4318/v1/traces`). */
  url: string;
  encoding: OtlpEncoding;
  headers: Readonly<Record<string, string>>;
  compression: Compression;
  /** Milliseconds one request may take; 0 means no limit. */
  timeout: number;
}

/** What we use of an OpenTelemetry JS OTLP exporter. */
interface OtelExporter {
  export(items: unknown, resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

type ExporterOptions = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;

const CONTENT_TYPES: Record<OtlpEncoding, string> = {
  proto: 'application/x-protobuf',
  json: 'application/json',
};
// setTimeout's largest delay: what "no timeout" becomes for the OTel exporter, which needs one.
const NO_TIMEOUT = 2_147_483_647;

/**
 * Sends batches of one signal over OTLP/HTTP through the OpenTelemetry JS OTLP exporters
 * (`-proto` packages for `encoding: proto`, `-http` for `json`), as a Sender for the exporter
 * helper. Answers are mapped to our errors: 429, 502, 503, 504 and network errors are
 * RetryableError, any other HTTP status a PermanentError. Retries, the queue and the per-attempt
 * timeout are the helper's: see `adoptTransport` for how the OTel exporter's own retries are taken out.
 */
export class OtlpHttpSender<S extends Signal> implements Sender<S> {
  private exporter?: OtelExporter;
  private opening?: Promise<OtelExporter>;
  private readonly agents: HttpAgent[] = [];
  /** How many ResourceMetrics of a metrics batch were sent, so a retry does not send them twice. */
  private readonly progress = new WeakMap<object, number>();

  constructor(
    private readonly signal: S,
    private readonly settings: OtlpHttpSettings,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.open();
  }

  async send(batch: Batch<S>, abort: AbortSignal): Promise<void> {
    const exporter = await this.open();
    abort.throwIfAborted();
    if (this.signal !== 'metrics') {
      if (batch.length > 0) await this.exportOnce(exporter, batch);
      return;
    }
    // The OTel metric exporter takes one ResourceMetrics per request.
    for (let i = this.progress.get(batch) ?? 0; i < batch.length; i++) {
      abort.throwIfAborted();
      await this.exportOnce(exporter, batch[i]);
      this.progress.set(batch, i + 1);
    }
  }

  async shutdown(): Promise<void> {
    const exporter = this.exporter ?? (await this.opening?.catch(() => undefined));
    this.exporter = this.opening = undefined;
    // After the drain, a request still open belongs to a send the helper gave up on (timeout or
    // shutdown deadline): destroying our agents ends it now instead of when its socket times out.
    for (const agent of this.agents.splice(0)) agent.destroy();
    await exporter?.shutdown();
  }

  private open(): Promise<OtelExporter> {
    if (this.exporter) return Promise.resolve(this.exporter);
    this.opening ??= this.create().then((exporter) => {
      this.exporter = exporter;
      return exporter;
    });
    return this.opening;
  }

  private async create(): Promise<OtelExporter> {
    const { url, encoding, headers, compression, timeout } = this.settings;
    const options: ExporterOptions = {
      url,
      headers: { ...headers },
      compression: compression as NonNullable<ExporterOptions['compression']>,
      timeoutMillis: timeout > 0 ? timeout : NO_TIMEOUT,
      // The sending queue's num_consumers bounds concurrent sends; the OTel limit (30) would only fail them.
      concurrencyLimit: Number.POSITIVE_INFINITY,
      httpAgentOptions: (protocol) => this.agent(protocol),
      userAgent: `Tributary/${ENGINE_VERSION}`,
    };
    const exporter = await loadExporter(this.signal, encoding, options);
    if (!adoptTransport(exporter, url, { ...headers, 'Content-Type': CONTENT_TYPES[encoding] })) {
      this.logger.warn(
        { url },
        'this version of the OpenTelemetry OTLP exporter is not the one Tributary was built with: ' +
          'it retries inside each send attempt (within `timeout`) on top of retry_on_failure, and adds ' +
          'headers from OTEL_EXPORTER_OTLP_*HEADERS',
      );
    }
    return exporter;
  }

  /** Our own agent, so shutdown() can close its sockets. */
  private agent(protocol: string): HttpAgent {
    const agent =
      protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.agents.push(agent);
    return agent;
  }

  private exportOnce(exporter: OtelExporter, items: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (result: ExportResult) =>
        result.code === ExportResultCode.SUCCESS ? resolve() : reject(this.failure(result.error));
      try {
        // Our own requests must not become spans when the host process runs HTTP instrumentation.
        context.with(suppressTracing(context.active()), () => exporter.export(items, done));
      } catch (err) {
        // The serializer threw: the batch cannot be encoded, and never will be.
        const message = err instanceof Error ? err.message : String(err);
        reject(new PermanentError(`cannot encode the batch as OTLP/${this.settings.encoding}: ${message}`));
      }
    });
  }

  /** An ExportResult's error as RetryableError or PermanentError. */
  private failure(error: Error | undefined): Error {
    if (error instanceof RetryableError || error instanceof PermanentError) return error;
    const { url } = this.settings;
    const status = (error as { code?: unknown } | undefined)?.code;
    if (typeof status === 'number') return statusError(url, status, error?.message, dataOf(error));
    const message = error?.message ?? 'export failed';
    // The delegate's own refusals: an empty request is not worth retrying.
    if (message === 'Nothing to send') return new PermanentError(`${url}: nothing to send`);
    return new RetryableError(`${url}: ${message}`);
  }
}

/** The OTel exporter for a signal and encoding, loaded on first use (most configs need one or two). */
async function loadExporter(signal: Signal, encoding: OtlpEncoding, options: ExporterOptions) {
  const proto = encoding === 'proto';
  switch (signal) {
    case 'traces': {
      const { OTLPTraceExporter } = proto
        ? await import('@opentelemetry/exporter-trace-otlp-proto')
        : await import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter(options) as OtelExporter;
    }
    case 'metrics': {
      const { AggregationTemporalityPreference } = await import('@opentelemetry/exporter-metrics-otlp-http');
      const { OTLPMetricExporter } = proto
        ? await import('@opentelemetry/exporter-metrics-otlp-proto')
        : await import('@opentelemetry/exporter-metrics-otlp-http');
      // Only what a MetricReader asks the exporter; points are sent with the temporality they carry.
      const temporalityPreference = AggregationTemporalityPreference.CUMULATIVE;
      return new OTLPMetricExporter({ ...options, temporalityPreference }) as OtelExporter;
    }
    case 'logs': {
      const { OTLPLogExporter } = proto
        ? await import('@opentelemetry/exporter-logs-otlp-proto')
        : await import('@opentelemetry/exporter-logs-otlp-http');
      return new OTLPLogExporter(options) as OtelExporter;
    }
  }
}

interface ExportResponse {
  status: 'success' | 'failure' | 'retryable';
  error?: Error;
  retryInMillis?: number;
  data?: Uint8Array;
}
interface Transport {
  send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse>;
  shutdown(): void;
}

/**
 * The OTel exporters (otlp-exporter-base 0.223) wrap their HTTP transport in a RetryingTransport
 * that retries a 429/502/503/504 or network error up to 5 times (1 s to 5 s apart) inside one
 * export, within `timeoutMillis`, and no option turns it off. Those waits would sit inside our
 * attempts, hidden from `retry_on_failure` and from the shutdown deadline. So we put the plain HTTP
 * transport in its place, wrapped to answer with our errors, and pin the headers to ours (the
 * exporter would also add OTEL_EXPORTER_OTLP_HEADERS from the environment: a credential meant for
 * another backend). These are internals: a test fails when they change, and without them the
 * exporter still works, with its own retries. Returns whether it took over.
 */
function adoptTransport(exporter: object, url: string, headers: Record<string, string>): boolean {
  const delegate = (exporter as { _delegate?: { _transport?: unknown } })._delegate;
  const retrying = delegate?._transport as
    | { constructor: { name: string }; _transport?: unknown }
    | undefined;
  const http = retrying?._transport as (Transport & { _parameters?: { headers?: unknown } }) | undefined;
  if (
    delegate === undefined ||
    retrying?.constructor.name !== 'RetryingTransport' ||
    typeof http?.send !== 'function' ||
    typeof http._parameters?.headers !== 'function'
  ) {
    return false;
  }
  // A fresh object per request: the transport adds User-Agent to it.
  http._parameters.headers = async () => ({ ...headers });
  const transport: Transport = {
    send: async (data, timeoutMillis) => withOurErrors(url, await http.send(data, timeoutMillis)),
    shutdown: () => http.shutdown(),
  };
  delegate._transport = transport;
  return true;
}

function withOurErrors(url: string, response: ExportResponse): ExportResponse {
  if (response.status === 'success') return response;
  const { error } = response;
  if (response.status === 'retryable') {
    // The transport keeps no status code for these; it only ever reports 429, 502, 503 and 504 so.
    const after = response.retryInMillis && response.retryInMillis > 0 ? response.retryInMillis : undefined;
    const message = error
      ? `${url}: ${error.message}`
      : `${url} answered 429, 502, 503 or 504: try again later${after ? ` (Retry-After ${Math.ceil(after / 1000)}s)` : ''}`;
    return { ...response, error: new RetryableError(message, { cause: error }) };
  }
  const status = (error as { code?: unknown } | undefined)?.code;
  if (typeof status === 'number') {
    return { ...response, error: statusError(url, status, error?.message, dataOf(error)) };
  }
  // No HTTP answer (TLS failure, connection cut): the data is not at fault.
  return {
    ...response,
    error: new RetryableError(`${url}: ${error?.message ?? 'export failed'}`, { cause: error }),
  };
}

function statusError(url: string, status: number, statusText: string | undefined, body: string): Error {
  const text = statusText && statusText !== String(status) ? ` ${statusText}` : '';
  const detail = body ? `: ${body.length > 200 ? `${body.slice(0, 200)}...` : body}` : '';
  const message = `${url} answered HTTP ${status}${text}${detail}`;
  return isRetryableStatus(status) ? new RetryableError(message) : new PermanentError(message);
}

/** The response body an OTLPExporterError carries, as one line of printable text (a proto Status is binary). */
function dataOf(error: Error | undefined): string {
  const data = (error as { data?: unknown } | undefined)?.data;
  if (typeof data !== 'string') return '';
  let text = '';
  for (const char of data) {
    const code = char.codePointAt(0) ?? 0;
    text += code < 0x20 || code === 0x7f || code === 0xfffd ? ' ' : char;
  }
  return text.replace(/\s+/g, ' ').trim();
}
