import { definePlugin } from '../../../core/plugin.js';
import { HostMetricsConfig } from './config.js';
import { HostMetricsReceiver } from './receiver.js';

export default definePlugin({
  kind: 'receiver',
  type: 'hostmetrics',
  description:
    "The host's CPU, memory, filesystems, disks, network and load, and this process, from Linux's /proc.",
  stability: { metrics: 'beta' },
  config: HostMetricsConfig,
  create: { metrics: (ctx, next) => new HostMetricsReceiver(ctx, next) },
});
