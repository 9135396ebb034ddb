import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ENGINE_VERSION } from '../../core/version.js';

it('ENGINE_VERSION is the package version', () => {
  const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'));
  expect(ENGINE_VERSION).toBe(manifest.version);
});
