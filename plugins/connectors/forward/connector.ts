import type { Connector, Consumer, Host } from '../../../core/component.js';
import type { Batch, Signal } from '../../../core/signals.js';

/**
 * The exporter end of one pipeline and the receiver end of others, for the same signal: every batch
 * is handed on as it came. A refusal downstream is the caller's refusal.
 */
export class ForwardConnector<S extends Signal> implements Connector<S> {
  readonly mutatesData = false;

  constructor(private readonly next: Consumer<S>) {}

  async start(_host: Host): Promise<void> {}

  consume(batch: Batch<S>): Promise<void> {
    return this.next.consume(batch);
  }

  async shutdown(): Promise<void> {}
}
