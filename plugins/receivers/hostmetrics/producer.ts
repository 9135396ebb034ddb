import type { HrTime } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
// The reader reports the MeterProvider's resource; a producer's is not used.
import { emptyResource } from '@opentelemetry/resources';
import type { CollectionResult, MetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import type { Logger } from 'pino';
import { ENGINE_VERSION } from '../../../core/version.js';
import { Observations, type Scraper } from './scrape.js';

const SCOPE = { name: 'tributary-hostmetrics', version: ENGINE_VERSION };

/**
 * Runs every scraper each time the receiver's metric reader collects. A scraper that fails (a file it
 * cannot read) reports nothing that time and is logged once until it works again; the others still report.
 */
export class HostMetricsProducer implements MetricProducer {
  private readonly failing = new Set<string>();
  private readonly processStart = millisToHrTime(Date.now() - process.uptime() * 1000);

  constructor(
    private readonly scrapers: readonly Scraper[],
    /** When the host booted: where its counters start. */
    private readonly bootTime: HrTime,
    private readonly logger: Logger,
  ) {}

  async collect(): Promise<CollectionResult> {
    const end = millisToHrTime(Date.now());
    const metrics = await Promise.all(this.scrapers.map((scraper) => this.run(scraper, end)));
    return {
      resourceMetrics: {
        resource: emptyResource(),
        scopeMetrics: [{ scope: SCOPE, metrics: metrics.flat() }],
      },
      errors: [],
    };
  }

  private async run(scraper: Scraper, end: HrTime): Promise<MetricData[]> {
    const result = new Observations(scraper.counts ? this.processStart : this.bootTime, end);
    try {
      await scraper.scrape(result);
    } catch (err) {
      if (!this.failing.has(scraper.name))
        this.logger.warn(
          {
            code: 'TRB_RECEIVER_HOSTMETRICS_SCRAPE_FAILED',
            scraper: scraper.name,
            error: (err as Error).message,
          },
          `the ${scraper.name} scraper cannot read the host; its metrics are left out until it can`,
        );
      this.failing.add(scraper.name);
      return [];
    }
    if (this.failing.delete(scraper.name))
      this.logger.info({ scraper: scraper.name }, `the ${scraper.name} scraper reads the host again`);
    return result.metrics();
  }
}
