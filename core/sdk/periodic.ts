/**
 * Runs an export on an interval, never two at once: a tick that finds the last run still waiting on
 * a slow or full pipeline is skipped, so a stalled pipeline never piles up exports.
 */
export class Periodic {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /** The one run after the one in flight, shared by every caller that asked meanwhile. */
  private queued?: Promise<void>;

  constructor(private readonly task: () => Promise<void>) {}

  start(intervalMs: number): void {
    this.timer ??= setInterval(() => {
      if (!this.running && !this.queued) void this.run();
    }, intervalMs);
    // Collecting must never keep the process alive.
    this.timer.unref();
  }

  /** Runs now, or once the run in flight has finished; callers meanwhile share that next run. */
  run(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) return this.begin();
    this.queued = this.running
      .catch(() => {})
      .then(() => {
        this.queued = undefined;
        return this.begin();
      });
    return this.queued;
  }

  /** Stops the ticks, then runs once more (after any run in flight) so the last values leave. */
  stop(): Promise<void> {
    clearInterval(this.timer);
    return this.run();
  }

  /** Stops the ticks and runs nothing more; resolves when the run in flight (if any) has ended. */
  cancel(): Promise<void> {
    clearInterval(this.timer);
    return (this.queued ?? this.running ?? Promise.resolve()).catch(() => {});
  }

  private begin(): Promise<void> {
    const run = this.task().finally(() => {
      this.running = undefined;
    });
    this.running = run;
    return run;
  }
}
