// What a pull exporter relies on when it asks the engine's metric sources to collect before a scrape.
import { describe, expect, it } from 'vitest';
import { MetricSources } from '../../../core/sdk/metric-sources.js';

describe('MetricSources', () => {
  it('asks every source and resolves once they have handed their metrics on', async () => {
    const sources = new MetricSources();
    const collected: string[] = [];
    sources.add(async () => void collected.push('mcp'));
    sources.add(async () => void collected.push('selftelemetry'));
    await sources.collect();
    expect(collected).toEqual(['mcp', 'selftelemetry']);
  });

  it('shares one collection between scrapes that arrive while it runs', async () => {
    const sources = new MetricSources();
    let calls = 0;
    let finish!: () => void;
    sources.add(() => {
      calls++;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    const first = sources.collect();
    const second = sources.collect();
    finish();
    await Promise.all([first, second]);
    expect(calls).toBe(1);
    const third = sources.collect();
    finish();
    await third;
    expect(calls).toBe(2);
  });

  it('answers even when a source never finishes (its pipeline pushes back) or fails', async () => {
    const sources = new MetricSources();
    sources.add(() => new Promise<void>(() => {}));
    sources.add(() => Promise.reject(new Error('a bug in a receiver')));
    await expect(sources.collect()).resolves.toBeUndefined();
  });

  it('no longer asks a source once it is removed', async () => {
    const sources = new MetricSources();
    let calls = 0;
    const remove = sources.add(async () => void calls++);
    remove();
    await sources.collect();
    expect(calls).toBe(0);
  });
});
