import type { RetrySettings } from './config.js';

/**
 * Exponential backoff with jitter, as in the Collector (cenkalti/backoff): each wait is the current
 * interval * (1 ± randomization_factor); the interval grows by `multiplier` up to `max_interval`.
 * One instance per batch being retried.
 */
export class Backoff {
  private interval: number;

  constructor(
    private readonly settings: RetrySettings,
    /** When the first attempt began (performance.now()): max_elapsed_time counts from there. */
    private readonly startedAt: number,
    private readonly random: () => number = Math.random,
  ) {
    this.interval = settings.initial_interval;
  }

  /** Milliseconds to wait before the next attempt, or undefined when that would pass max_elapsed_time. */
  next(now: number = performance.now()): number | undefined {
    const { randomization_factor, multiplier, max_interval, max_elapsed_time } = this.settings;
    const delay = this.interval * (1 + randomization_factor * (2 * this.random() - 1));
    this.interval = Math.min(this.interval * multiplier, max_interval);
    if (max_elapsed_time > 0 && now - this.startedAt + delay > max_elapsed_time) return undefined;
    return delay;
  }
}
