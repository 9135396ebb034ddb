import { definePlugin } from '../../../core/plugin.js';
import { AlertmanagerExporter } from './alertmanager-exporter.js';
import { AlertmanagerConfig } from './config.js';

export default definePlugin({
  kind: 'exporter',
  type: 'alertmanager',
  description:
    'Notifies Alertmanagers (API v2) of the alerts the alertrules connector fires and resolves, as Prometheus does',
  stability: { logs: 'alpha' },
  config: AlertmanagerConfig,
  create: { logs: (ctx) => new AlertmanagerExporter(ctx) },
});
