import { z } from 'zod';
import { exporterConfig } from '../../../core/exporterhelper/index.js';
import { httpHeaders, httpUrl, tlsSettings } from '../../../core/otlp/index.js';

export const AlertmanagerConfig = exporterConfig({
  endpoints: z
    .array(httpUrl('http://127.0.0.1:9093'))
    .min(1, 'name at least one Alertmanager, e.g. ["http://127.0.0.1:9093"]')
    .default(['http://localhost:9093'])
    .describe(
      'the Alertmanagers to notify, each a base URL: /api/v2/alerts is appended; every one gets every alert',
    ),
  headers: httpHeaders(),
  tls: tlsSettings(),
});

export type AlertmanagerConfig = z.output<typeof AlertmanagerConfig>;

/** Where alerts are POSTed on an Alertmanager at `endpoint`, as Prometheus composes it (path prefix kept). */
export function alertsUrl(endpoint: string): string {
  return `${endpoint.endsWith('/') ? endpoint : `${endpoint}/`}api/v2/alerts`;
}
