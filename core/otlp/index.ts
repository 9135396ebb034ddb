/** OTLP/HTTP sending shared by the exporters that speak it (`otlp` and `jaeger`). */
export {
  httpHeaders,
  httpUrl,
  OTLP_ENCODINGS,
  type OtlpEncoding,
  otlpHttpClientSettings,
  signalUrl,
} from './config.js';
export { OtlpHttpSender, type OtlpHttpSettings } from './http-sender.js';
export { type TlsSettings, tlsSettings } from './tls.js';
