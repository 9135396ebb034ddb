import type { Logger } from 'pino';
import type { Sender } from '../../../core/exporterhelper/index.js';
import { OtlpHttpSender, signalUrl } from '../../../core/otlp/index.js';
import {
  DEFAULT_AGENT_HOST,
  DEFAULT_AGENT_PORT,
  DEFAULT_MAX_PACKET_SIZE,
  DEFAULT_OTLP_ENDPOINT,
  DEFAULT_THRIFT_ENDPOINT,
  type JaegerConfig,
} from './config.js';
import { JaegerThriftSender } from './thrift-sender.js';

/** The sender for the configured protocol: OTLP/HTTP as the `otlp` exporter sends traces, or Jaeger Thrift. */
export function jaegerSender(config: JaegerConfig, logger: Logger): Sender<'traces'> {
  switch (config.protocol) {
    case 'otlp-http': {
      const { headers, compression = 'gzip', timeout } = config;
      const url = signalUrl(config.endpoint ?? DEFAULT_OTLP_ENDPOINT, 'traces');
      return new OtlpHttpSender('traces', { url, encoding: 'proto', headers, compression, timeout }, logger);
    }
    case 'thrift-http': {
      const { endpoint = DEFAULT_THRIFT_ENDPOINT, username, password } = config;
      return new JaegerThriftSender({ protocol: 'thrift-http', endpoint, username, password }, logger);
    }
    case 'thrift-udp':
      return new JaegerThriftSender(
        {
          protocol: 'thrift-udp',
          host: config.agent_host ?? DEFAULT_AGENT_HOST,
          port: config.agent_port ?? DEFAULT_AGENT_PORT,
          maxPacketSize: config.max_packet_size ?? DEFAULT_MAX_PACKET_SIZE,
        },
        logger,
      );
  }
}
