import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Consumer, Receiver } from '../../../core/component.js';
import { TributaryError } from '../../../core/errors.js';
import type { CreateContext } from '../../../core/plugin.js';
import { MetricSources } from '../../../core/sdk/metric-sources.js';
import { PipelineMetricReader } from '../../../core/sdk/readers.js';
import { ENGINE_VERSION } from '../../../core/version.js';
import { type HostMetricsConfig, SCRAPER_NAMES, type Scrapers } from './config.js';
import type { ScraperContext } from './scrape.js';
import { cpuScraper } from './scrapers/cpu.js';
import { diskScraper } from './scrapers/disk.js';
import { filesystemScraper } from './scrapers/filesystem.js';
import { loadScraper } from './scrapers/load.js';
import { memoryScraper } from './scrapers/memory.js';
import { networkScraper } from './scrapers/network.js';
import { processScraper } from './scrapers/process.js';

const SCRAPERS: { [N in keyof Scrapers]-?: (ctx: ScraperContext, config: NonNullable<Scrapers[N]>) => void } =
  {
    cpu: cpuScraper,
    memory: memoryScraper,
    filesystem: filesystemScraper,
    disk: diskScraper,
    network: networkScraper,
    load: loadScraper,
    process: processScraper,
  };

/** Every scraper with its defaults, for a config that lists none. */
const ALL: Scrapers = { filesystem: { include_virtual_filesystems: false } };

/**
 * Reads the host's /proc and statfs when collected: on its interval, when a pull exporter is scraped,
 * and once more at shutdown. Its metrics are observable instruments of the SDK's MeterProvider, so the
 * SDK keeps the cumulative sums and their start times.
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
    await checkProcfs(config.root_path);
    const reader = new PipelineMetricReader(this.next, config.collection_interval, logger);
    this.provider = new MeterProvider({ resource: resourceFromAttributes({}), readers: [reader] });
    const scraper = {
      meter: this.provider.getMeter('tributary-hostmetrics', ENGINE_VERSION),
      root: config.root_path,
      logger,
    };
    const scrapers = config.scrapers ?? ALL;
    for (const name of SCRAPER_NAMES) {
      const settings = name in scrapers || !config.scrapers ? (scrapers[name] ?? {}) : undefined;
      if (settings) (SCRAPERS[name] as (ctx: ScraperContext, config: unknown) => void)(scraper, settings);
    }
    this.removeSource = this.ctx.container.resolve(MetricSources).add(() => reader.forceFlush());
  }

  async shutdown(): Promise<void> {
    this.removeSource?.();
    await this.provider?.shutdown();
    this.provider = undefined;
  }
}

/** The scrapers read Linux's /proc under root_path: say so at start rather than report nothing. */
async function checkProcfs(root: string): Promise<void> {
  const stat = join(root, 'proc', 'stat');
  await access(stat).catch((err: Error) => {
    throw new TributaryError(
      'TRB_HOSTMETRICS_NO_PROCFS',
      `cannot read ${stat} (${err.message.split(',')[0]})`,
      {},
      process.platform === 'linux'
        ? 'set root_path to where the host\'s / is mounted (e.g. /hostfs), or leave it at "/"'
        : `hostmetrics reads Linux's /proc; this is ${process.platform}`,
    );
  });
}
