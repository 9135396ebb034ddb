import type { Attributes, Counter } from '@opentelemetry/api';
import type { Consumer, Receiver } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import { componentAttributes } from '../../../core/telemetry/attributes.js';
import { type PrometheusReceiverConfig, timing } from './config.js';
import type { TargetLabels } from './convert.js';
import { type ScrapeOutcome, ScrapeTarget } from './target.js';

/** Scrapes every target of every scrape config on its interval and passes on what it reads. */
export class PrometheusReceiver implements Receiver {
  readonly targets: ScrapeTarget[] = [];

  constructor(ctx: CreateContext<PrometheusReceiverConfig>, next: Consumer<'metrics'>) {
    const { global, scrape_configs } = ctx.config.config;
    const scrapes: Counter = ctx.meter.createCounter('tributary_receiver_prometheus_scrapes', {
      description:
        'Scrapes by job and result: ok, failed (up 0), refused (the pipeline refused it), skipped (the last was still running).',
      unit: '{scrape}',
    });
    const base = componentAttributes(ctx, 'metrics');
    for (const job of scrape_configs) {
      const byOutcome = new Map<ScrapeOutcome, Attributes>();
      const counted = (result: ScrapeOutcome) => {
        let attributes = byOutcome.get(result);
        if (!attributes) {
          attributes = { ...base, job: job.job_name, result };
          byOutcome.set(result, attributes);
        }
        scrapes.add(1, attributes);
      };
      for (const group of job.static_configs)
        for (const address of group.targets) {
          const labels = targetLabels(job.job_name, address, group.labels, job.honor_labels);
          this.targets.push(
            new ScrapeTarget(job, address, labels, timing(job, global), next, ctx.logger, counted),
          );
        }
    }
  }

  async start(): Promise<void> {
    for (const target of this.targets) target.start();
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.stop()));
  }
}

/** job, instance (the address unless a label sets it) and the static labels, as Prometheus labels a target. */
function targetLabels(
  job: string,
  address: string,
  labels: Readonly<Record<string, string>>,
  honorLabels: boolean,
): TargetLabels {
  const all: Record<string, string> = { job, instance: address, ...labels };
  return {
    job: all.job as string,
    instance: all.instance as string,
    labels: Object.entries(all).filter(([, v]) => v !== ''),
    honorLabels,
  };
}
