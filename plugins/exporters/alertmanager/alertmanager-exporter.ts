import type { Logger } from 'pino';
import { type Exporter, type Host, PermanentError } from '../../../core/component.js';
import { createExporter } from '../../../core/exporterhelper/index.js';
import { ExporterTelemetry } from '../../../core/exporterhelper/telemetry.js';
import type { CreateContext } from '../../../core/plugin.js';
import type { Batch } from '../../../core/signals.js';
import { AlertmanagerSender } from './alertmanager-sender.js';
import { alertOf } from './alerts.js';
import type { AlertmanagerConfig } from './config.js';

/**
 * The exporter helper's sending exporter over an AlertmanagerSender, behind a gate that takes only
 * alert event records: any other record is refused (counted in tributary_exporter_refused_items,
 * the first one logged), and a batch with nothing else is refused as a PermanentError.
 */
export class AlertmanagerExporter implements Exporter<'logs'> {
  private readonly sending: Exporter<'logs'>;
  private readonly telemetry: ExporterTelemetry;
  private readonly logger: Logger;
  private refusalLogged = false;

  constructor(ctx: CreateContext<AlertmanagerConfig>) {
    this.sending = createExporter(ctx, 'logs', new AlertmanagerSender(ctx.config, ctx.logger));
    this.telemetry = new ExporterTelemetry(ctx, 'logs');
    this.logger = ctx.logger;
  }

  consume(batch: Batch<'logs'>): Promise<void> {
    let why: string | undefined;
    const alerts = batch.filter((record) => {
      const alert = alertOf(record);
      if (typeof alert === 'string') why ??= alert;
      return typeof alert !== 'string';
    });
    const refused = batch.length - alerts.length;
    if (refused === 0) return this.sending.consume(batch);
    this.telemetry.refused(refused);
    const message = `not an alert event (${why}): the alertmanager exporter takes the alertrules connector's alert log records`;
    if (!this.refusalLogged) {
      this.refusalLogged = true;
      this.logger.warn({ records: refused }, `refusing log records: ${message}`);
    }
    if (alerts.length === 0)
      return Promise.reject(new PermanentError(`${refused} log records refused: ${message}`));
    return this.sending.consume(alerts);
  }

  start(host: Host): Promise<void> {
    return this.sending.start(host);
  }

  shutdown(): Promise<void> {
    return this.sending.shutdown();
  }
}
