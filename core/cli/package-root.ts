import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed package's root (where config/default.yaml lives), from source or from dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dirname(dir) !== dir) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'tributary-telemetry')
      return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the tributary package root');
}

export const defaultConfigPath = () => join(packageRoot(), 'config', 'default.yaml');
