import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TributaryError } from '../errors.js';
import type { PluginDefinition } from '../plugin.js';
import type { Registry } from '../registry.js';
import type { LoadedConfig } from './load.js';

/** Imports the modules named in `plugins:` (relative to the file that names them) and registers their plugins. */
export async function loadPluginModules(
  specifiers: readonly string[],
  config: LoadedConfig,
  registry: Registry,
): Promise<TributaryError[]> {
  const errors: TributaryError[] = [];
  for (const [i, specifier] of specifiers.entries()) {
    if (config.unexpanded(['plugins', i])) continue;
    const source = config.locate(['plugins', i]);
    const base = source.file ? dirname(source.file) : process.cwd();
    let url: string;
    try {
      url = resolveModule(specifier, base);
    } catch {
      errors.push(
        new TributaryError(
          'TRB_PLUGIN_NOT_FOUND',
          `cannot find plugin module "${specifier}" (looked from ${base})`,
          source,
          'give a path relative to this config file (./my-plugin.js) or an installed package name',
        ),
      );
      continue;
    }
    let mod: { default?: unknown; plugins?: unknown };
    try {
      mod = await import(url);
    } catch (err) {
      errors.push(
        new TributaryError(
          'TRB_PLUGIN_LOAD_FAILED',
          `plugin module "${specifier}" failed to load: ${(err as Error).message}`,
          source,
          'fix the module, or remove it from plugins:',
        ),
      );
      continue;
    }
    const exported = mod.default ?? mod.plugins;
    const list = (Array.isArray(exported) ? exported : [exported]) as PluginDefinition[];
    if (exported === undefined) {
      errors.push(
        new TributaryError(
          'TRB_PLUGIN_INVALID',
          `plugin module "${specifier}" has no default export`,
          source,
          'export default definePlugin({...}) or an array of them',
        ),
      );
      continue;
    }
    for (const plugin of list) {
      try {
        registry.register(plugin, `"${specifier}"`);
      } catch (err) {
        if (!(err instanceof TributaryError)) throw err;
        errors.push(new TributaryError(err.code, err.message, source, err.hint));
      }
    }
  }
  return errors;
}

function resolveModule(specifier: string, base: string): string {
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const file = resolve(base, specifier);
    createRequire(`${base}/`).resolve(file);
    return pathToFileURL(file).href;
  }
  return pathToFileURL(createRequire(`${base}/`).resolve(specifier)).href;
}
