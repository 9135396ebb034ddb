// What `npm pack` would publish, and whether the examples install the package as their READMEs say.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const json = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

describe('the published package (npm pack --dry-run)', () => {
  // Scripts off: `prepare` would rebuild; the suite's `pretest` has built dist/ already.
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }),
  ) as [{ name: string; files: { path: string }[] }];
  const files = packed.files.map((f) => f.path);

  it('holds the entry points, the CLI, the default config and the docs', () => {
    expect(packed.name).toBe('tributary-telemetry');
    const { exports: entries, bin } = json('package.json');
    const targets = [
      ...Object.values(entries as Record<string, { default: string; types: string } | string>).flatMap((e) =>
        typeof e === 'string' ? [e] : [e.default, e.types],
      ),
      ...Object.values(bin as Record<string, string>),
    ].map((p) => p.replace(/^\.\//, ''));
    expect(targets).toContain('dist/cli.js');
    expect(files).toEqual(expect.arrayContaining([...targets, 'config/default.yaml', 'README.md']));
    expect(files).toEqual(expect.arrayContaining(['docs/plugin-authoring.md', 'pipelines/mcp-server.yaml']));
  });

  it('ships the licence, every plugin README the docs point to, and the sources its source maps name', () => {
    expect(files).toContain('LICENSE');
    const readmes = execFileSync('git', ['ls-files', 'plugins/*/*/README.md', 'core/*/README.md'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    expect(readmes.length).toBeGreaterThan(10);
    expect(files).toEqual(expect.arrayContaining(readmes));
    const maps = files.filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(0);
    const missing = maps.flatMap((map) => {
      const { sources } = json(map) as { sources: string[] };
      return sources.map((s) => join(map, '..', s).replace(`${ROOT}/`, '')).filter((s) => !files.includes(s));
    });
    expect(missing).toEqual([]);
  });

  it('ships no benchmarks, tests or examples', () => {
    expect(files.filter((f) => /^dist\/(bench|test|examples)\//.test(f) || /\.test\./.test(f))).toEqual([]);
  });
});

describe('the examples install the package from this checkout', () => {
  const examples = readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && readdirSync(join(ROOT, 'examples', d.name)).includes('package.json'))
    .map((d) => `examples/${d.name}`);

  it.each(examples)('%s depends on tributary-telemetry as file:../.. and declares what it imports', (dir) => {
    const pkg = json(`${dir}/package.json`);
    const declared = { ...pkg.peerDependencies, ...pkg.dependencies, ...pkg.devDependencies };
    // Not published: an npm install from the registry would fail (or fetch someone else's package).
    expect({ ...pkg.dependencies, ...pkg.devDependencies }['tributary-telemetry']).toBe('file:../..');
    const sources = readdirSync(join(ROOT, dir)).filter((f) => /\.(m?js)$/.test(f));
    const imported = sources.flatMap((f) =>
      [
        ...readFileSync(join(ROOT, dir, f), 'utf8').matchAll(/^import\b[^;'"]*?['"]([^'"./][^'"]*)['"]/gm),
      ].map((m) => m[1] as string),
    );
    const packageOf = (s: string) =>
      s
        .split('/')
        .slice(0, s.startsWith('@') ? 2 : 1)
        .join('/');
    const external = imported.filter((s) => !s.startsWith('node:') && !builtinModules.includes(s));
    expect(external.length).toBeGreaterThan(0);
    expect(external.map(packageOf).filter((p) => !(p in declared))).toEqual([]);
  });
});
