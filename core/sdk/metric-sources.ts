/** Longest a scrape waits for sources: one whose pipeline pushes back must not outlast the scraper's timeout. */
const COLLECT_WAIT_MS = 500;

/**
 * The engine's receivers that can collect metrics on demand (those built on the SDK's MeterProvider).
 * A pull exporter asks them before it answers a scrape, so it serves metrics as of the scrape, as the
 * OpenTelemetry Prometheus exporter (a reader that collects on scrape) does. One per engine, in its
 * container: plugins resolve it by class and never name each other.
 */
export class MetricSources {
  private readonly sources = new Set<() => Promise<void>>();
  private collecting?: Promise<void>;

  /** Adds a source: `collect` hands its metrics to its pipelines now. Returns the removal. */
  add(collect: () => Promise<void>): () => void {
    this.sources.add(collect);
    return () => void this.sources.delete(collect);
  }

  /**
   * Asks every source to collect; resolves once they have handed their metrics on (or after a short
   * wait), never rejects. Scrapes that arrive meanwhile share the collection in progress.
   */
  collect(): Promise<void> {
    if (this.sources.size === 0) return Promise.resolve();
    this.collecting ??= this.collectAll().finally(() => {
      this.collecting = undefined;
    });
    return this.collecting;
  }

  private async collectAll(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, COLLECT_WAIT_MS);
    });
    // Sources catch and log their own refusals; a bug in one must not fail the scrape.
    const collected = Promise.allSettled([...this.sources].map((collect) => collect()));
    await Promise.race([collected, waited]);
    clearTimeout(timer);
  }
}
