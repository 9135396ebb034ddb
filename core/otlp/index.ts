/** OTLP/HTTP sending shared by the exporters that speak it (`otlp`, and `jaeger` with `protocol: otlp-http`). */
export {
  COMPRESSIONS,
  type Compression,
  compression,
  httpHeaders,
  httpUrl,
  isRetryableStatus,
  OTLP_ENCODINGS,
  OTLP_PATHS,
  type OtlpEncoding,
  signalUrl,
} from './config.js';
export { OtlpHttpSender, type OtlpHttpSettings } from './http-sender.js';
