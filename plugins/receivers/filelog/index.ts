import { isAbsolute, resolve } from 'node:path';
import { definePlugin } from '../../../core/plugin.js';
import { FilelogConfig } from './config.js';
import { FilelogReceiver } from './receiver.js';

const absolute = (baseDir: string) => (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));

export default definePlugin({
  kind: 'receiver',
  type: 'filelog',
  description:
    'Tails log files (globs, rotation by rename or copytruncate, checkpoints in a storage extension), parsing JSON or regex lines into log records',
  stability: { logs: 'alpha' },
  config: FilelogConfig,
  // Globs are relative to the config file that names them, as rule_files are.
  prepare: (config, site) => ({
    ...config,
    include: config.include.map(absolute(site.baseDir)),
    exclude: config.exclude.map(absolute(site.baseDir)),
  }),
  create: { logs: (ctx, next) => new FilelogReceiver(ctx, next) },
});
