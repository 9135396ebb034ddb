import type { Attributes } from '@opentelemetry/api';
import pino from 'pino';
import type { Exporter } from '../../../../core/component.js';
import type { ExporterPlugin } from '../../../../core/plugin.js';
import type { Signal } from '../../../../core/signals.js';
import { SelfTelemetry } from '../../../../core/telemetry/self.js';
import { testContext, testHost } from '../../../../core/testing/index.js';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/**
 * One exporter component made by hand, as the engine makes it, with its log lines and self-metrics
 * kept: for the failure modes a pipeline test cannot watch (attempts, counts, the drain deadline).
 */
export function exporterUnderTest<S extends Signal>(
  plugin: ExporterPlugin,
  config: unknown,
  signal: S,
  id = plugin.type,
) {
  const logs: LogLine[] = [];
  const waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write: (text: string) => {
        const line = JSON.parse(text) as LogLine;
        logs.push(line);
        for (const waiter of waiters.filter((w) => w.match(line))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      },
    },
  );
  const telemetry = new SelfTelemetry();
  const { meter } = telemetry;
  const ctx = testContext(plugin.config.parse(config), id, { kind: 'exporter', logger, meter });
  const create = plugin.create[signal];
  if (!create) throw new Error(`${plugin.type} does not export ${signal}`);
  const exporter = create(ctx) as Exporter<S>;
  const deadline = new AbortController();
  const host = testHost({ logger, meter, shutdownSignal: deadline.signal });

  return {
    exporter,
    host,
    /** Abort it to make the drain deadline pass. */
    deadline,
    logs,
    /** Resolves with the first log line (past or future) whose message contains `text`. */
    logged(text: string): Promise<LogLine> {
      const match = (line: LogLine) => line.msg.includes(text);
      const past = logs.find(match);
      if (past) return Promise.resolve(past);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    /** The value of one of the exporter's self-metrics (`tributary_exporter_sent_items`, ...), 0 when none. */
    async metric(name: string): Promise<number> {
      const resourceMetrics = await telemetry.collect();
      for (const sm of resourceMetrics.scopeMetrics) {
        for (const m of sm.metrics) {
          if (m.descriptor.name !== name) continue;
          for (const point of m.dataPoints) {
            const attributes = point.attributes as Attributes;
            if (attributes.component === id && attributes.signal === signal) return point.value as number;
          }
        }
      }
      return 0;
    },
    /** Shuts the exporter down (draining it); its metrics stay readable. */
    stop: (): Promise<void> => exporter.shutdown(),
  };
}
