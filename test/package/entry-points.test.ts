import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Against dist/ (`npm run build`), each in a fresh process, as a user's first import would load it.
const root = join(import.meta.dirname, '../..');
const node = (...args: string[]) => spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });

describe('public entry points', () => {
  it.each(['tributary-telemetry', 'tributary-telemetry/testing', 'tributary-telemetry/mcp'])(
    'import("%s") works first in a fresh process',
    (specifier) => {
      const run = node('--input-type=module', '-e', `await import('${specifier}'); console.log('imported');`);
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('imported\n');
      expect(run.status).toBe(0);
    },
  );

  it('the tributary command runs in a fresh process', () => {
    const run = node(join(root, 'dist/cli.js'), 'components', '--json');
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'batch' })]),
    );
    expect(run.status).toBe(0);
  });
});
