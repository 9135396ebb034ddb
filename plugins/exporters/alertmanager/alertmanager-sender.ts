import type { Logger } from 'pino';
import { PermanentError, RetryableError } from '../../../core/component.js';
import type { Sender } from '../../../core/exporterhelper/index.js';
import { answerError, HttpPoster, isSuccess } from '../../../core/http/client.js';
import type { Batch } from '../../../core/signals.js';
import { alertOf, type PostableAlert } from './alerts.js';
import { type AlertmanagerConfig, alertsUrl } from './config.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Which Alertmanagers a batch reached, and which refused it for good, across the helper's retries. */
interface Progress {
  delivered: Set<HttpPoster>;
  refused: Error[];
}

/**
 * POSTs each batch's alerts to every configured Alertmanager (`POST /api/v2/alerts`). An attempt
 * sends only to the Alertmanagers the batch has not reached yet, so one that is down is retried
 * without notifying the others twice. The batch succeeds once every Alertmanager took it; it is a
 * PermanentError once the rest took it and one answered with a permanent error (a 400 for alerts
 * it cannot take), otherwise a RetryableError while any is down.
 */
export class AlertmanagerSender implements Sender<'logs'> {
  private readonly posters: HttpPoster[];
  private readonly progress = new WeakMap<Batch<'logs'>, Progress>();

  constructor(config: AlertmanagerConfig, logger: Logger) {
    const { headers, tls } = config;
    this.posters = config.endpoints.map(
      (endpoint) =>
        new HttpPoster(
          { url: alertsUrl(endpoint), headers, tls, tlsErrorCode: 'TRB_EXPORTER_ALERTMANAGER_TLS' },
          logger,
        ),
    );
  }

  async start(): Promise<void> {
    await Promise.all(this.posters.map((poster) => poster.open()));
  }

  async send(batch: Batch<'logs'>, abort: AbortSignal): Promise<void> {
    const alerts = batch.map(alertOf).filter((alert): alert is PostableAlert => typeof alert !== 'string');
    if (alerts.length === 0) return;
    const body = Buffer.from(JSON.stringify(alerts));
    let progress = this.progress.get(batch);
    if (progress === undefined) {
      progress = { delivered: new Set(), refused: [] };
      this.progress.set(batch, progress);
    }
    const { delivered, refused } = progress;
    const retryable: RetryableError[] = [];
    const left = this.posters.filter((poster) => !delivered.has(poster));
    await Promise.all(
      left.map(async (poster) => {
        try {
          const answer = await poster.post(body, JSON_HEADERS, abort);
          if (!isSuccess(answer)) throw answerError(poster.shownUrl, answer);
          delivered.add(poster);
        } catch (err) {
          // A timeout or the shutdown deadline ends the attempt as a whole, whatever the error says.
          if (abort.aborted) throw abort.reason;
          if (err instanceof PermanentError) {
            delivered.add(poster);
            refused.push(err);
          } else retryable.push(err instanceof RetryableError ? err : new RetryableError(String(err)));
        }
      }),
    );
    if (retryable.length > 0) throw joinRetryable(retryable, delivered.size - refused.length);
    if (refused.length > 0) throw new PermanentError(refused.map((e) => e.message).join('; '));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.posters.map((poster) => poster.shutdown()));
  }
}

/** One error for the helper: every Alertmanager still to reach, waiting as long as the longest Retry-After. */
function joinRetryable(errors: RetryableError[], reached: number): RetryableError {
  const retryAfters = errors.map((e) => e.retryAfterMs).filter((ms) => ms !== undefined);
  const message = `${errors.map((e) => e.message).join('; ')}${reached > 0 ? ` (${reached} other Alertmanagers have the alerts)` : ''}`;
  return new RetryableError(
    message,
    retryAfters.length > 0 ? { retryAfterMs: Math.max(...retryAfters) } : undefined,
  );
}
