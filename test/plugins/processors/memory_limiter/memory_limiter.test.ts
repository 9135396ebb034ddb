import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Consumer, type Processor, RetryableError } from '../../../../core/component.js';
import type { CreateContext } from '../../../../core/plugin.js';
import type { Batch } from '../../../../core/signals.js';
import { makeSpans, testContext } from '../../../../core/testing/index.js';
import memoryLimiter from '../../../../plugins/processors/memory_limiter/index.js';
import { MemoryLimiterProcessor } from '../../../../plugins/processors/memory_limiter/limiter.js';

const MIB = 1024 * 1024;
type Config = ReturnType<typeof memoryLimiter.config.parse>;

function context(
  config: Record<string, unknown>,
  lines: Record<string, unknown>[] = [],
): CreateContext<Config> {
  return testContext(memoryLimiter.config.parse(config), 'memory_limiter', {
    kind: 'processor',
    // Bound as the engine binds a component's logger; each line counts its "component" keys.
    logger: pino(
      { level: 'info' },
      {
        write: (line: string) =>
          void lines.push({ ...JSON.parse(line), componentKeys: line.split('"component":').length - 1 }),
      },
    ).child({ component: 'memory_limiter', kind: 'processor', signal: 'traces' }),
    pipeline: 'traces',
  });
}

function recorder(): Consumer<'traces'> & { batches: Batch<'traces'>[] } {
  const batches: Batch<'traces'>[] = [];
  return { batches, consume: async (b) => void batches.push(b) };
}

const open: Processor[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.shutdown()));
  vi.useRealTimers();
});

/** A limiter whose memory reading the test sets, in MiB. */
function limiter(config: Record<string, unknown>, options: { totalMiB?: number } = {}) {
  const memory = { usedMiB: 0 };
  const lines: Record<string, unknown>[] = [];
  const next = recorder();
  const ctx = context(config, lines);
  const processor = new MemoryLimiterProcessor(
    'traces',
    ctx.config,
    next,
    ctx,
    () => memory.usedMiB * MIB,
    () => (options.totalMiB ?? 0) * MIB,
  );
  open.push(processor as unknown as Processor);
  return { processor, memory, next, lines };
}

describe('memory_limiter processor', () => {
  it('passes data through while memory is under the soft limit', async () => {
    const { processor, memory, next } = limiter({ limit_mib: 100 });
    memory.usedMiB = 50;
    await processor.start({} as never);
    const spans = makeSpans(3);

    await processor.consume(spans);
    expect(next.batches).toEqual([spans]);
  });

  it('refuses with a RetryableError above the soft limit and accepts again once under it', async () => {
    const { processor, memory, next, lines } = limiter({ limit_mib: 100, check_interval: '20ms' });
    memory.usedMiB = 90; // soft limit: 100 - 20% = 80 MiB
    await processor.start({} as never);

    const refused = processor.consume(makeSpans(2));
    await expect(refused).rejects.toBeInstanceOf(RetryableError);
    await expect(refused).rejects.toThrow(/^memory usage 90\.0 MiB above soft limit 80\.0 MiB/);
    await expect(processor.consume(makeSpans(2))).rejects.toBeInstanceOf(RetryableError);
    await expect(processor.consume(makeSpans(2))).rejects.toBeInstanceOf(RetryableError);
    expect(next.batches).toHaveLength(0);
    // One warning for going over, not one per refused batch.
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      component: 'memory_limiter',
      componentKeys: 1,
      usedMiB: '90.0',
      softLimitMiB: '80.0',
    });

    memory.usedMiB = 60;
    await vi.waitFor(() => expect(lines.some((l) => l.level === 30)).toBe(true));
    expect(lines.at(-1)?.msg).toMatch(/back under the soft limit/);
    await processor.consume(makeSpans(1));
    expect(next.batches).toHaveLength(1);
  });

  it('uses spike_limit_mib for the soft limit when it is set', async () => {
    const { processor, memory } = limiter({ limit_mib: 100, spike_limit_mib: 5 });
    memory.usedMiB = 90;
    await processor.start({} as never);
    await expect(processor.consume(makeSpans(1))).resolves.toBeUndefined();
    expect(processor.softLimit).toBe(95 * MIB);
  });

  it('computes limits from a percentage of total memory', async () => {
    const { processor, memory } = limiter(
      { limit_percentage: 50, spike_limit_percentage: 10 },
      { totalMiB: 1000 },
    );
    expect(processor.limit).toBe(500 * MIB);
    expect(processor.softLimit).toBe(400 * MIB);
    memory.usedMiB = 450;
    await processor.start({} as never);
    await expect(processor.consume(makeSpans(1))).rejects.toThrow(/above soft limit 400\.0 MiB/);
  });

  it('forces a garbage collection above the hard limit when global.gc is exposed', async () => {
    const { processor, memory } = limiter({ limit_mib: 100 });
    const gc = vi.fn(() => {
      memory.usedMiB = 70;
    });
    vi.stubGlobal('gc', gc);
    try {
      memory.usedMiB = 120;
      await processor.start({} as never);
      expect(gc).toHaveBeenCalledTimes(1);
      // Collected down to 70 MiB, under the soft limit: data flows.
      await expect(processor.consume(makeSpans(1))).resolves.toBeUndefined();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('stops measuring on shutdown, leaving no timer; shutdown is safe twice and without start', async () => {
    vi.useFakeTimers();
    const { processor } = limiter({ limit_mib: 100 });
    await processor.shutdown();
    await processor.start({} as never);
    expect(vi.getTimerCount()).toBe(1);
    await processor.shutdown();
    await processor.shutdown();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is created by the plugin and measures this process', async () => {
    const next = recorder();
    const create = memoryLimiter.create.traces as (
      ctx: unknown,
      next: Consumer<'traces'>,
    ) => Processor<'traces'>;
    const processor = create(context({ limit_mib: 1024 * 1024 }), next);
    open.push(processor as unknown as Processor);
    await processor.start({} as never);
    await processor.consume(makeSpans(1));
    expect(next.batches).toHaveLength(1);
  });
});

describe('memory_limiter config', () => {
  const message = (input: unknown) =>
    memoryLimiter.config.safeParse(input).error?.issues.map((i) => i.message);

  it('needs exactly one of limit_mib and limit_percentage', () => {
    expect(message({})).toEqual(['set exactly one of limit_mib or limit_percentage; neither is set']);
    expect(message({ limit_mib: 100, limit_percentage: 50 })).toEqual([
      'set exactly one of limit_mib or limit_percentage, not both',
    ]);
    expect(memoryLimiter.config.parse({ limit_mib: 100 })).toEqual({ check_interval: 1000, limit_mib: 100 });
    expect(memoryLimiter.config.parse({ limit_percentage: 75 })).toEqual({
      check_interval: 1000,
      limit_percentage: 75,
    });
  });

  it('keeps the spike below the limit and in the same unit', () => {
    expect(message({ limit_mib: 100, spike_limit_mib: 100 })).toEqual([
      'spike_limit_mib (100) must be less than limit_mib (100)',
    ]);
    expect(message({ limit_mib: 100, spike_limit_percentage: 10 })).toEqual([
      'spike_limit_percentage goes with limit_percentage; with limit_mib use spike_limit_mib',
    ]);
    expect(message({ limit_percentage: 50, spike_limit_percentage: 60 })).toEqual([
      'spike_limit_percentage (60) must be less than limit_percentage (50)',
    ]);
  });

  it('refuses a zero check_interval and unknown keys', () => {
    expect(message({ limit_mib: 100, check_interval: 0 })).toEqual(['check_interval must be greater than 0']);
    expect(memoryLimiter.config.safeParse({ limit_mib: 100, limit: 3 }).error?.issues[0]?.code).toBe(
      'unrecognized_keys',
    );
  });
});
