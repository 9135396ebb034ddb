import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Static imports and re-exports at the start of a line (type-only ones too: a cycle of types is
// still a knot to untie), side-effect imports, and dynamic import() of a relative path.
const STATIC = /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/gm;
const SIDE_EFFECT = /^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Every .ts file of the package, by path from the repository root, with the files it imports. */
function importGraph(): Map<string, string[]> {
  const files = ['main.ts', 'cli.ts', ...tsFiles('core'), ...tsFiles('plugins')];
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const specifiers = [STATIC, SIDE_EFFECT, DYNAMIC]
      .flatMap((re) => [...text.matchAll(re)])
      .map((m) => m[1] as string);
    const targets = specifiers.map((s) => {
      const target = relative(ROOT, resolve(ROOT, dirname(file), s.replace(/\.js$/, '.ts')));
      if (!existsSync(join(ROOT, target))) throw new Error(`${file} imports ${s}, which is not a .ts file`);
      return target;
    });
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f))
    .sort();
}

/** The import cycles, each as the path that loops (`a -> b -> a`); one per strongly connected knot. */
function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

/** `plugins/exporters/stdout/x.ts` -> `plugins/exporters/stdout`. */
const pluginFolder = (file: string) => file.split('/').slice(0, 3).join('/');

describe('the import graph of core/, plugins/, main.ts and cli.ts', () => {
  const graph = importGraph();
  const edges = [...graph].flatMap(([from, tos]) => tos.map((to) => ({ from, to })));

  it('finds the imports it checks (the parser sees real edges)', () => {
    expect(graph.get('main.ts')).toContain('plugins/index.ts');
    expect(graph.get('core/engine.ts')).toContain('core/registry.ts');
    expect(edges.length).toBeGreaterThan(300);
  });

  it('has no cycles', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('core/ imports nothing from plugins/ (the engine knows no plugin)', () => {
    const offending = edges.filter((e) => e.from.startsWith('core/') && e.to.startsWith('plugins/'));
    expect(offending.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('no plugin imports another plugin, nor the built-in list', () => {
    const offending = edges.filter(
      (e) =>
        e.from.startsWith('plugins/') &&
        e.to.startsWith('plugins/') &&
        pluginFolder(e.from) !== pluginFolder(e.to) &&
        e.from !== 'plugins/index.ts',
    );
    expect(offending.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('only main.ts and cli.ts import both core/ and plugins/', () => {
    const both = [...graph]
      .filter(
        ([, tos]) => tos.some((t) => t.startsWith('core/')) && tos.some((t) => t.startsWith('plugins/')),
      )
      .map(([from]) => from)
      .filter((f) => !f.startsWith('plugins/'));
    expect(both.sort()).toEqual(['cli.ts', 'main.ts']);
  });
});
