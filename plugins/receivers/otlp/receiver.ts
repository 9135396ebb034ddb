import type { Consumer, Receiver } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import type { Signal } from '../../../core/signals.js';
import { announce } from '../../../core/status.js';
import type { OtlpReceiverConfig } from './config.js';
import { OtlpHttpServer } from './server.js';

/** One signal's view of the receiver's shared OTLP/HTTP server: the engine creates one per pipeline signal. */
export class OtlpReceiver<S extends Signal> implements Receiver {
  /** The server this receiver id shares across signals (tests read its bound address). */
  readonly server: OtlpHttpServer;
  private started = false;

  constructor(
    private readonly ctx: CreateContext<OtlpReceiverConfig>,
    private readonly signal: S,
    private readonly next: Consumer<S>,
  ) {
    this.server = ctx.shared(
      () => new OtlpHttpServer(ctx.config.protocols.http, ctx.id, ctx.logger, ctx.meter),
    );
  }

  async start(): Promise<void> {
    await this.server.start(this.signal, this.next as Consumer);
    this.started = true;
    const url = this.server.url;
    // The ready line names where senders send (once per receiver id, whatever the signals).
    if (url) announce(this.ctx.container, this.ctx.id, 'otlp', url);
  }

  async shutdown(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.server.shutdown(this.signal);
  }
}
