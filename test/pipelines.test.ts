// Every shipped pipeline and the default config validate and compile with the built-ins.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../main.js';

const root = join(import.meta.dirname, '..');
const shipped = [
  ...readdirSync(join(root, 'pipelines')).map((f) => join('pipelines', f)),
  join('config', 'default.yaml'),
].filter((f) => f.endsWith('.yaml'));

describe('shipped configs', () => {
  it.each(shipped)('%s is valid', async (file) => {
    const { graph } = await (await Engine.fromFile(join(root, file))).validate();
    expect(graph.pipelines.size).toBeGreaterThan(0);
  });
});
