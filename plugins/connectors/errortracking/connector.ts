import type { Connector, Consumer } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import type { Batch } from '../../../core/signals.js';
import type { ErrorTrackingConfig } from './config.js';
import { ErrorTracking } from './errortracking.js';

/** One route (traces->logs, logs->metrics...) of the shared ErrorTracking: the engine creates one per route. */
export class ErrorTrackingConnector<A extends 'traces' | 'logs', B extends 'logs' | 'metrics'>
  implements Connector<A>
{
  readonly mutatesData = false;
  private readonly tracking: ErrorTracking;

  constructor(
    ctx: CreateContext<ErrorTrackingConfig>,
    private readonly from: A,
    to: B,
    next: Consumer<B>,
  ) {
    this.tracking = ctx.shared(() => new ErrorTracking(ctx));
    this.tracking.connect(this, from, to, next as Consumer<'logs' | 'metrics'>);
  }

  async start(): Promise<void> {
    this.tracking.start(this);
  }

  consume(batch: Batch<A>): Promise<void> {
    return this.tracking.consume(this, this.from, batch);
  }

  shutdown(): Promise<void> {
    return this.tracking.shutdown(this);
  }
}
