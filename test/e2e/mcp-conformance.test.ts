// The MCP conformance suite (Node >= 22, so run on Node 24 through npx) against server-everything over
// Streamable HTTP: direct, then through `tributary mcp-proxy --listen`. Every scenario must end the same.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../core/testing/index.js';

const root = join(import.meta.dirname, '../..');
const EVERYTHING = join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
/** It needs Node >= 22 (so does its dependency tree): npx runs it, pinned, on Node 24. */
const CONFORMANCE = [
  '-y',
  '-p',
  'node@24',
  '-p',
  '@modelcontextprotocol/conformance@0.1.16',
  '--',
  'conformance',
];
const CLI = join(root, 'dist/cli.js');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function start(command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  return child;
}

async function reachable(url: string): Promise<boolean> {
  try {
    await fetch(url, { method: 'GET', signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** Scenario name -> "passed/failed" as the suite prints it. */
async function conformance(url: string): Promise<Record<string, string>> {
  const cwd = await mkdtemp(join(tmpdir(), 'trb-conformance-'));
  const { stdout } = await promisify(execFile)('npx', [...CONFORMANCE, 'server', '--url', url], {
    cwd,
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const results: Record<string, string> = {};
  for (const m of stdout.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed/gmu))
    results[m[1] as string] = `${m[2]}/${m[3]}`;
  return results;
}

describe('MCP conformance through the HTTP proxy', () => {
  it('passes exactly the scenarios a direct connection passes', { timeout: 240_000 }, async () => {
    const serverPort = await freePort();
    start(process.execPath, [EVERYTHING, 'streamableHttp'], { PORT: String(serverPort) });
    const upstream = `http://127.0.0.1:${serverPort}/mcp`;
    await expect.poll(() => reachable(upstream), { timeout: 20_000, interval: 200 }).toBe(true);

    const dir = await mkdtemp(join(tmpdir(), 'trb-proxy-'));
    const config = join(dir, 'proxy.yaml');
    await writeFile(
      config,
      `receivers: { mcp: }
exporters: { file: { path: ${join(dir, 'spans.jsonl')} } }
service: { pipelines: { traces: { receivers: [mcp], exporters: [file] } } }
`,
    );
    const proxyPort = await freePort();
    const proxy = start(process.execPath, [
      CLI,
      'mcp-proxy',
      '--config',
      config,
      '--listen',
      `127.0.0.1:${proxyPort}`,
      '--upstream',
      upstream,
    ]);
    const proxied = `http://127.0.0.1:${proxyPort}/mcp`;
    await expect.poll(() => reachable(proxied), { timeout: 20_000, interval: 200 }).toBe(true);

    const direct = await conformance(upstream);
    const through = await conformance(proxied);
    expect(Object.keys(direct).length).toBeGreaterThan(10);
    expect(through).toEqual(direct);

    // The proxy observed the suite's traffic: spans reach the file once it drains on SIGTERM.
    const exited = new Promise((resolve) => proxy.on('exit', resolve));
    proxy.kill('SIGTERM');
    expect(await exited).toBe(0);
    const spans = (await readFile(join(dir, 'spans.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(
      spans.some(
        (s) => s.name === 'tools/list' && s.kind === 'SERVER' && s.attributes['network.transport'] === 'tcp',
      ),
    ).toBe(true);
  });
});
