import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../core/exporterhelper/backoff.js';
import type { RetrySettings } from '../../../core/exporterhelper/index.js';

const settings: RetrySettings = {
  enabled: true,
  initial_interval: 5000,
  max_interval: 30_000,
  max_elapsed_time: 0,
  multiplier: 1.5,
  randomization_factor: 0,
};

function waits(backoff: Backoff, count: number, now = 0): (number | undefined)[] {
  return Array.from({ length: count }, () => backoff.next(now));
}

describe('Backoff', () => {
  it('grows by the multiplier up to max_interval', () => {
    expect(waits(new Backoff(settings, 0), 7)).toEqual([5000, 7500, 11250, 16875, 25312.5, 30_000, 30_000]);
  });

  it('jitters each wait within interval * (1 ± randomization_factor)', () => {
    const jittered = { ...settings, randomization_factor: 0.5 };
    expect(new Backoff(jittered, 0, () => 0).next(0)).toBe(2500);
    expect(new Backoff(jittered, 0, () => 0.5).next(0)).toBe(5000);
    expect(new Backoff(jittered, 0, () => 0.999).next(0)).toBeCloseTo(7495);
  });

  it('stops when the next wait would pass max_elapsed_time', () => {
    const backoff = new Backoff({ ...settings, max_elapsed_time: 20_000 }, 1000);
    expect(backoff.next(1000)).toBe(5000);
    expect(backoff.next(7000)).toBe(7500);
    expect(backoff.next(15_000)).toBeUndefined();
  });

  it('waits at least what the backend asked for (Retry-After), beyond max_interval', () => {
    const backoff = new Backoff(settings, 0);
    expect(backoff.next(0, 60_000)).toBe(60_000);
    // A shorter Retry-After than the backoff's wait changes nothing, and the interval still grows.
    expect(backoff.next(0, 1000)).toBe(7500);
  });

  it('gives up at once when a Retry-After would pass max_elapsed_time', () => {
    const backoff = new Backoff({ ...settings, max_elapsed_time: 20_000 }, 0);
    expect(backoff.next(1000, 30_000)).toBeUndefined();
  });

  it('never stops when max_elapsed_time is 0', () => {
    expect(new Backoff(settings, 0).next(1e12)).toBe(5000);
  });
});
