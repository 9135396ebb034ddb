/**
 * Runs an export on an interval, never two at once: a tick that finds the last run still waiting on
 * a slow or full pipeline is skipped, so a stalled pipeline never piles up exports.
 */
export class Periodic {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly task: () => Promise<void>) {}

  start(intervalMs: number): void {
    this.timer ??= setInterval(() => {
      if (!this.running) void this.run();
    }, intervalMs);
    // Collecting must never keep the process alive.
    this.timer.unref();
  }

  /** Runs now, once any run in flight has finished. */
  async run(): Promise<void> {
    while (this.running) await this.running;
    const run = this.task().finally(() => {
      this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /** Stops the ticks, then runs once more (after any run in flight) so the last values leave. */
  stop(): Promise<void> {
    clearInterval(this.timer);
    return this.run();
  }
}
