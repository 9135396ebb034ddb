import { readFile } from 'node:fs/promises';
import { hostname, platform } from 'node:os';
import { join } from 'node:path';
import { millisToHrTime } from '@opentelemetry/core';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Consumer, Receiver } from '../../../core/component.js';
import { TributaryError } from '../../../core/errors.js';
import type { CreateContext } from '../../../core/plugin.js';
import { MetricSources } from '../../../core/sdk/metric-sources.js';
import { PipelineMetricReader } from '../../../core/sdk/readers.js';
import { processResource } from '../../../core/telemetry/resource.js';
import { FilesystemConfig, type HostMetricsConfig } from './config.js';
import { HostMetricsProducer } from './producer.js';
import type { Scraper } from './scrape.js';
import { cpuScraper } from './scrapers/cpu.js';
import { diskScraper } from './scrapers/disk.js';
import { filesystemScraper } from './scrapers/filesystem.js';
import { loadScraper } from './scrapers/load.js';
import { memoryScraper } from './scrapers/memory.js';
import { networkScraper } from './scrapers/network.js';
import { processScraper } from './scrapers/process.js';

/** The scrapers a config turns on; every one, with its defaults, when it lists none. */
function scrapersOf({ scrapers, root_path: root }: HostMetricsConfig): Scraper[] {
  const on = (name: string) => !scrapers || name in scrapers;
  return [
    on('cpu') && cpuScraper(root),
    on('memory') && memoryScraper(root),
    on('filesystem') && filesystemScraper(root, scrapers?.filesystem ?? FilesystemConfig.parse({})),
    on('disk') && diskScraper(root, scrapers?.disk ?? {}),
    on('network') && networkScraper(root, scrapers?.network ?? {}),
    on('load') && loadScraper(root),
    on('process') && processScraper(),
  ].filter((s): s is Scraper => s !== false);
}

/**
 * Reads the host's /proc and statfs each time it is collected: on its interval, when a pull exporter is
 * scraped, and once more at shutdown. Counters are cumulative from the host's boot (this process's
 * start for `process.*`), as /proc counts them: only CPU utilization keeps a reading between collections.
 */
export class HostMetricsReceiver implements Receiver {
  private provider?: MeterProvider;
  private removeSource?: () => void;

  constructor(
    private readonly ctx: CreateContext<HostMetricsConfig>,
    private readonly next: Consumer<'metrics'>,
  ) {}

  async start(): Promise<void> {
    const { config, logger } = this.ctx;
    // Off Linux there is no /proc: the default config (and with it the probes and the admin page)
    // still runs, and says once that there are no host metrics here.
    if (platform() !== 'linux' && config.root_path === '/') {
      logger.warn(
        { code: 'TRB_RECEIVER_HOSTMETRICS_NOT_LINUX', platform: platform() },
        `hostmetrics reads Linux's /proc; this is ${platform()}: no host metrics will be reported`,
      );
      return;
    }
    const producer = new HostMetricsProducer(scrapersOf(config), await bootTime(config.root_path), logger);
    const reader = new PipelineMetricReader(this.next, config.collection_interval, logger, [producer]);
    // host.name tells hosts apart downstream (at a gateway, with resource_to_telemetry_conversion).
    const resource = processResource({ 'host.name': hostname() });
    this.provider = new MeterProvider({ resource, readers: [reader] });
    this.removeSource = this.ctx.container.resolve(MetricSources).add(() => reader.forceFlush());
  }

  async shutdown(): Promise<void> {
    this.removeSource?.();
    await this.provider?.shutdown();
    this.provider = undefined;
  }
}

/** The host's boot time (`btime` in /proc/stat). Unreadable: not Linux, or a root_path without /proc. */
async function bootTime(root: string) {
  const stat = join(root, 'proc', 'stat');
  const text = await readFile(stat, 'utf8').catch((err: Error) => {
    throw new TributaryError(
      'TRB_RECEIVER_HOSTMETRICS_NO_PROCFS',
      `cannot read ${stat} (${err.message.split(',')[0]})`,
      {},
      process.platform === 'linux'
        ? 'set root_path to where the host\'s / is mounted (e.g. /hostfs), or leave it at "/"'
        : `hostmetrics reads Linux's /proc; this is ${process.platform}`,
    );
  });
  const btime = /^btime (\d+)$/m.exec(text);
  return millisToHrTime(btime ? Number(btime[1]) * 1000 : Date.now());
}
