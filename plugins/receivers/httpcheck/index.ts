import { definePlugin } from '../../../core/plugin.js';
import { HttpCheckConfig } from './config.js';
import { HttpCheckReceiver } from './receiver.js';

export default definePlugin({
  kind: 'receiver',
  type: 'httpcheck',
  description:
    'Checks HTTP(S) endpoints on an interval: status, duration and phases, errors, certificate expiry, up or down.',
  stability: { metrics: 'beta' },
  config: HttpCheckConfig,
  create: { metrics: (ctx, next) => new HttpCheckReceiver(ctx, next) },
});
