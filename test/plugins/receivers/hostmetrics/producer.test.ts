// A scraper that cannot read the host is logged once, with its code, until it reads again; the others
// still report meanwhile.
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { HostMetricsProducer } from '../../../../plugins/receivers/hostmetrics/producer.js';
import { gauge, type Scraper } from '../../../../plugins/receivers/hostmetrics/scrape.js';

const LOAD = gauge('system.cpu.load_average.1m', '{thread}', 'load');

describe('HostMetricsProducer', () => {
  it('logs a failing scraper once until it works again, and still reports the others', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    let broken = true;
    const flaky: Scraper = {
      name: 'load',
      async scrape() {
        if (broken) throw new Error("ENOENT: no such file or directory, open '/proc/loadavg'");
      },
    };
    const steady: Scraper = { name: 'steady', scrape: async (result) => result.observe(LOAD, 1) };
    const producer = new HostMetricsProducer([flaky, steady], [0, 0], logger);
    const names = async () =>
      (await producer.collect()).resourceMetrics.scopeMetrics.flatMap((s) =>
        s.metrics.map((m) => m.descriptor.name),
      );

    expect(await names()).toEqual(['system.cpu.load_average.1m']);
    await names();
    broken = false;
    await names();
    expect(lines.map(({ level, code, scraper, msg }) => ({ level, code, scraper, msg }))).toEqual([
      {
        level: 40,
        code: 'TRB_RECEIVER_HOSTMETRICS_SCRAPE_FAILED',
        scraper: 'load',
        msg: 'the load scraper cannot read the host; its metrics are left out until it can',
      },
      { level: 30, code: undefined, scraper: 'load', msg: 'the load scraper reads the host again' },
    ]);
  });
});
