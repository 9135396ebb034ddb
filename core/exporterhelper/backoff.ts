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

  /**
   * Milliseconds to wait before the next attempt, or undefined when that would pass max_elapsed_time.
   * `retryAfter` (the backend's Retry-After) is a floor, as in the Collector's throttle retry: it may
   * exceed max_interval, since retrying sooner only earns another refusal.
   */
  next(now: number = performance.now(), retryAfter = 0): number | undefined {
    const { randomization_factor, multiplier, max_interval, max_elapsed_time } = this.settings;
    const jittered = this.interval * (1 + randomization_factor * (2 * this.random() - 1));
    const delay = Math.max(jittered, retryAfter);
    this.interval = Math.min(this.interval * multiplier, max_interval);
    if (max_elapsed_time > 0 && now - this.startedAt + delay > max_elapsed_time) return undefined;
    return delay;
  }
}
