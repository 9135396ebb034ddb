import type { Logger } from 'pino';
import { OtlpHttpSender, signalUrl } from '../../../core/otlp/index.js';
import type { Signal } from '../../../core/signals.js';
import type { OtlpConfig } from './config.js';

/** The OTLP/HTTP sender of one signal: to `<signal>_endpoint` when set, else `endpoint` + `/v1/<signal>`. */
export function otlpSender<S extends Signal>(
  signal: S,
  config: OtlpConfig,
  logger: Logger,
): OtlpHttpSender<S> {
  const url = config[`${signal}_endpoint`] ?? signalUrl(config.endpoint, signal);
  const { encoding, headers, compression, tls } = config;
  return new OtlpHttpSender(signal, { url, encoding, headers, compression, tls }, logger);
}
