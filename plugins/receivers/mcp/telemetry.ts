import type { Resource } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';
import type { Consumer } from '../../../core/component.js';
import { Handoff } from '../../../core/sdk/handoff.js';
import { type LogFields, logRecord } from '../../../core/sdk/log-record.js';
import type { MetricSources } from '../../../core/sdk/metric-sources.js';
import { PipelineSpanProcessor } from '../../../core/sdk/processors.js';
import { PipelineMetricReader } from '../../../core/sdk/readers.js';
import type { Signal } from '../../../core/signals.js';
import { processResource } from '../../../core/telemetry/resource.js';
import { TrustedProxies } from './client-address.js';
import type { McpConfig } from './config.js';
import { OperationStats } from './operations.js';
import { WaitingRounds } from './protocol-2026.js';
import { logStarted, recordFinished } from './record.js';
import type { RequestSpan } from './request-span.js';
import type { McpInstruments, RequestRecorder } from './requests.js';
import { DURATION_BUCKETS } from './semconv.js';
import { McpSessionObserver } from './session.js';
import type { McpHooks, McpSession, McpSessionOptions } from './types.js';

const SCOPE = 'tributary-mcp';
const LOG_SCOPE = { name: SCOPE };
/**
 * How long finished requests wait to be recorded together: over stdio or HTTP each request arrives in
 * a turn of its own, and a hand-off to the pipelines per request would cost more than the request.
 */
const RECORD_DELAY_MS = 1;
/** Requests held for the record; past this they are recorded at once, so a burst holds no more. */
const MAX_HELD = 256;

/**
 * The `mcp` receiver's shared part: one per component id, fed by every hooked connection. Each
 * request's span and log records are built from what its session noted (RequestSpan), its metrics
 * aggregated here and collected by the SDK's MeterProvider, into whichever of the traces, metrics and
 * logs pipelines list this receiver.
 */
export class McpTelemetry implements McpHooks, RequestRecorder {
  /** Set at start; embedding APIs may make it the global provider so handler code's spans join the request's. */
  tracerProvider?: BasicTracerProvider;
  /** Where log records go, when a logs pipeline lists this receiver. */
  private logs?: Handoff<'logs'>;
  private spans?: Handoff<'traces'>;
  private resource?: Resource;
  instruments!: McpInstruments;
  /** Request durations and counts: the busiest metrics, aggregated without per-request SDK calls. */
  readonly operations = new OperationStats();
  readonly rounds = new WaitingRounds(() => this.instruments?.roundsDropped.add(1));
  private readonly next: { [S in Signal]?: Consumer<S> } = {};
  private readonly running = new Set<Signal>();
  private providers?: { traces: BasicTracerProvider; metrics: MeterProvider };
  private stopped?: Promise<void>;
  private hookErrorLogged = false;
  /** Takes this receiver off the engine's on-scrape metric sources. */
  private removeSource?: () => void;
  /** Requests started or finished since the last record: recorded after the responses left. */
  private later: RequestSpan[] = [];
  private scheduled?: NodeJS.Timeout;

  readonly trustedProxies: TrustedProxies;

  constructor(
    readonly config: McpConfig,
    readonly logger: Logger,
    private readonly sources: MetricSources,
  ) {
    this.trustedProxies = new TrustedProxies(config.trusted_proxies);
  }

  /** Each signal's receiver instance hands over its pipeline at creation. */
  connect<S extends Signal>(signal: S, next: Consumer<S>): void {
    (this.next as Record<S, Consumer<S>>)[signal] = next;
  }

  start(signal: Signal): void {
    this.running.add(signal);
    this.providers ??= this.build();
  }

  /** The last signal to stop flushes everything: spans, logs, and one final metrics collection. */
  shutdown(signal: Signal): Promise<void> {
    this.running.delete(signal);
    if (this.running.size > 0 || !this.providers) return Promise.resolve();
    this.record();
    this.removeSource?.();
    const { traces, metrics } = this.providers;
    this.stopped ??= Promise.all([traces.shutdown(), metrics.shutdown(), this.logs?.drain()]).then(() => {});
    return this.stopped;
  }

  session(options: McpSessionOptions): McpSession {
    return new McpSessionObserver(this, options);
  }

  started(request: RequestSpan): void {
    this.hold(request);
  }

  finished(request: RequestSpan): void {
    // A request still held since it started is held once.
    if (!request.queued) this.hold(request);
  }

  private hold(request: RequestSpan): void {
    request.queued = true;
    this.later.push(request);
    if (this.later.length >= MAX_HELD) this.record();
    else this.scheduled ??= setTimeout(this.record, RECORD_DELAY_MS);
  }

  /**
   * Spans, metrics and log records of what was held, made in one pass after the responses left; they
   * leave together, now.
   */
  private readonly record = (): void => {
    clearTimeout(this.scheduled);
    this.scheduled = undefined;
    const work = this.later;
    this.later = [];
    const clockOffset = Date.now() - performance.now();
    const { resource, spans } = this;
    for (const request of work) {
      request.queued = false;
      try {
        if (!request.startRecorded && request.incoming && request.session.options.side === 'server') {
          request.startRecorded = true;
          logStarted(this, request, clockOffset);
        }
        if (request.ended < 0) continue;
        if (!request.interim) recordFinished(this, request, clockOffset);
        const span = spans && request.toReadableSpan(resource as Resource, clockOffset);
        if (span) spans.push(span);
      } catch (err) {
        this.hookError(err);
      }
    }
    spans?.flush();
    this.logs?.flush();
  };

  /** Whether a logs pipeline lists this receiver. */
  get logging(): boolean {
    return this.logs !== undefined;
  }

  log(fields: LogFields): void {
    this.logs?.push(logRecord(fields, this.resource as Resource, LOG_SCOPE));
  }

  /** A bug in the hooks: counted and logged once, never passed to the MCP protocol. */
  hookError(err: unknown): void {
    try {
      this.instruments?.hookErrors.add(1);
      if (!this.hookErrorLogged)
        this.logger.error({ err }, 'an MCP hook failed; the message was relayed unobserved');
      this.hookErrorLogged = true;
    } catch {
      // Nothing may escape the hooks.
    }
  }

  private build() {
    const resource = processResource(this.config.resource);
    const { traces, metrics, logs } = this.next;
    this.spans = traces && new Handoff(traces, this.logger);
    // For spans handler code starts; the hooks' own spans are built in `record`.
    const tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: this.spans ? [new PipelineSpanProcessor(this.spans)] : [],
    });
    const reader =
      metrics &&
      new PipelineMetricReader(metrics, this.config.collection_interval, this.logger, [this.operations]);
    const meterProvider = new MeterProvider({ resource, readers: reader ? [reader] : [] });
    // A pull exporter scraped between intervals serves this receiver's metrics as of the scrape.
    if (reader)
      this.removeSource = this.sources.add(() => {
        this.record();
        return reader.forceFlush();
      });
    this.logs = logs && new Handoff(logs, this.logger);
    this.resource = resource;
    this.tracerProvider = tracerProvider;
    this.instruments = makeInstruments(meterProvider);
    return { traces: tracerProvider, metrics: meterProvider };
  }
}

function makeInstruments(provider: MeterProvider): McpInstruments {
  const meter = provider.getMeter(SCOPE);
  const seconds = (name: string, description: string) =>
    meter.createHistogram(name, {
      unit: 's',
      description,
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
  return {
    serverSessionDuration: seconds('mcp.server.session.duration', 'Duration of MCP sessions on the server.'),
    clientSessionDuration: seconds('mcp.client.session.duration', 'Duration of MCP sessions on the client.'),
    activeConnections: meter.createUpDownCounter('mcp_active_connections', {
      description: 'Active connections',
    }),
    unparsed: meter.createCounter('tributary_mcp_unparsed_messages', {
      unit: '{message}',
      description: 'Lines or payloads relayed that were not JSON-RPC',
    }),
    hookErrors: meter.createCounter('tributary_mcp_hook_errors', {
      description: 'Failures inside the MCP hooks (bugs)',
    }),
    roundsDropped: meter.createCounter('tributary_mcp_rounds_unlinked', {
      unit: '{operation}',
      description: 'Multi-round-trip operations given up waiting for their retry (too many were waiting)',
    }),
  };
}
