import { context } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ExporterConfig, JaegerExporter } from '@opentelemetry/exporter-jaeger';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';
import { PermanentError, RetryableError } from '../../../core/component.js';
import type { Sender } from '../../../core/exporterhelper/index.js';
import { isRetryableStatus } from '../../../core/otlp/index.js';

/** Where the Thrift protocols send; resolved from the config, defaults applied. */
export type ThriftTarget =
  | { protocol: 'thrift-http'; endpoint: string; username?: string; password?: string }
  | { protocol: 'thrift-udp'; host: string; port: number; maxPacketSize: number };

/** A JaegerExporter for one service, and the end of the line of sends waiting for it. */
interface Channel {
  exporter: JaegerExporter;
  tail: Promise<void>;
}

/**
 * Sends spans as Jaeger Thrift through `@opentelemetry/exporter-jaeger` (its senders are
 * jaeger-client's): `thrift-http` posts a Batch to a collector, `thrift-udp` emits
 * `Agent.emitBatch` packets in the binary protocol to an agent.
 *
 * A JaegerExporter names its Jaeger process after the first span it ever sends, so spans are
 * grouped by their resource's `service.name` and each service gets its own exporter. Its sender
 * buffers spans between append and flush, so sends to one exporter take turns.
 */
export class JaegerThriftSender implements Sender<'traces'> {
  private jaeger?: typeof import('@opentelemetry/exporter-jaeger');
  private readonly channels = new Map<string, Channel>();
  /** How many service groups of a batch were sent, so a retry does not send them twice. */
  private readonly progress = new WeakMap<object, number>();

  constructor(
    private readonly target: ThriftTarget,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.load();
    if (this.target.protocol === 'thrift-udp' && this.target.port === 6831) {
      this.logger.warn(
        { agent_port: 6831 },
        'port 6831 is the Jaeger agent’s compact Thrift port; this exporter sends binary Thrift, which the agent takes on 6832',
      );
    }
  }

  async send(batch: ReadableSpan[], abort: AbortSignal): Promise<void> {
    const jaeger = await this.load();
    const groups = [...byService(batch)];
    for (let i = this.progress.get(batch) ?? 0; i < groups.length; i++) {
      const [service, spans] = groups[i] as [string, ReadableSpan[]];
      await this.inTurn(this.channel(jaeger, service), spans, abort);
      this.progress.set(batch, i + 1);
    }
  }

  async shutdown(): Promise<void> {
    const channels = [...this.channels.values()];
    this.channels.clear();
    await Promise.all(channels.map((channel) => channel.exporter.shutdown().catch(() => {})));
  }

  private async load(): Promise<typeof import('@opentelemetry/exporter-jaeger')> {
    // Loaded on first use: jaeger-client and its Thrift runtime are large, and most configs never need them.
    this.jaeger ??= await import('@opentelemetry/exporter-jaeger');
    return this.jaeger;
  }

  private channel(jaeger: typeof import('@opentelemetry/exporter-jaeger'), service: string): Channel {
    let channel = this.channels.get(service);
    if (!channel) {
      channel = { exporter: this.createExporter(jaeger), tail: Promise.resolve() };
      this.channels.set(service, channel);
    }
    return channel;
  }

  private createExporter(jaeger: typeof import('@opentelemetry/exporter-jaeger')): JaegerExporter {
    const log = (message: string) => this.logger.debug({ jaeger_client: message }, 'jaeger-client');
    const config: ExporterConfig & Record<string, unknown> = {
      // Every send flushes, so nothing waits in a sender at shutdown: no grace period (and no timer).
      flushTimeout: 0,
      // jaeger-client's sender logs through this; the exporter helper logs every failed send already.
      logger: { info: log, error: log },
    };
    if (this.target.protocol === 'thrift-http') {
      const { endpoint, username, password } = this.target;
      // One POST per batch (jaeger-client posts every 100 spans by default): a failure fails the whole batch.
      Object.assign(config, { endpoint, username, password, maxSpanBatchSize: Number.MAX_SAFE_INTEGER });
    } else {
      const { host, port, maxPacketSize } = this.target;
      Object.assign(config, { host, port, maxPacketSize });
    }
    const exporter = new jaeger.JaegerExporter(config);
    // It fills what it was not given from OTEL_EXPORTER_JAEGER_* (an ENDPOINT there would turn UDP
    // into HTTP, USER/PASSWORD would add credentials): the config we resolved is the whole truth.
    const internal = exporter as unknown as { _localConfig?: ExporterConfig };
    if (internal._localConfig !== undefined) internal._localConfig = { ...config };
    return exporter;
  }

  /** Sends `spans` once the sends before it on this channel are done. */
  private inTurn(channel: Channel, spans: ReadableSpan[], abort: AbortSignal): Promise<void> {
    const turn = channel.tail.then(() => this.exportOnce(channel, spans, abort));
    channel.tail = turn.then(
      () => {},
      () => {},
    );
    return turn;
  }

  private exportOnce(channel: Channel, spans: ReadableSpan[], abort: AbortSignal): Promise<void> {
    abort.throwIfAborted();
    const { exporter } = channel;
    return new Promise((resolve, reject) => {
      // jaeger-client's HTTP requests never time out on their own: when the helper gives up on a
      // send, this exporter is closed (ending its request) and the channel gets a fresh one.
      const onAbort = () => {
        const jaeger = this.jaeger;
        if (jaeger && channel.exporter === exporter) channel.exporter = this.createExporter(jaeger);
        exporter.shutdown().catch(() => {});
        reject(abort.reason);
      };
      abort.addEventListener('abort', onAbort, { once: true });
      const done = (result: ExportResult) => {
        abort.removeEventListener('abort', onAbort);
        if (result.code === ExportResultCode.SUCCESS) resolve();
        else reject(this.failure(result.error));
      };
      // Our own requests must not become spans when the host process runs HTTP instrumentation.
      context.with(suppressTracing(context.active()), () => exporter.export(spans, done));
    });
  }

  /** jaeger-client reports failures as strings; those of the network are worth retrying, the rest are not. */
  private failure(error: Error | undefined): Error {
    const message = error?.message ?? 'export failed';
    const where = this.target.protocol === 'thrift-http' ? this.target.endpoint : 'the Jaeger agent';
    const status = /server responded with HTTP (\d{3})/.exec(message);
    if (status) {
      const code = Number(status[1]);
      const text = `${where} answered HTTP ${code}`;
      return isRetryableStatus(code) ? new RetryableError(text) : new PermanentError(text);
    }
    if (/EMSGSIZE/.test(message)) {
      return new PermanentError(
        `${message}: lower max_packet_size to what the network between here and the agent carries`,
      );
    }
    if (message.startsWith('error sending spans over')) return new RetryableError(message);
    // Encoding failures and spans larger than max_packet_size: sending again cannot help.
    return new PermanentError(message);
  }
}

/** Spans by their resource's service.name, in the order services first appear. */
function byService(spans: readonly ReadableSpan[]): Map<string, ReadableSpan[]> {
  const groups = new Map<string, ReadableSpan[]>();
  for (const span of spans) {
    const service = String(span.resource.attributes['service.name'] ?? 'unknown_service');
    const group = groups.get(service);
    if (group) group.push(span);
    else groups.set(service, [span]);
  }
  return groups;
}
