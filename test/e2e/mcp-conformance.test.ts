// The MCP conformance suite (Node >= 22, so run on Node 24 through npx), scenarios required by revision
// 2025-11-25: its server scenarios against server-everything over Streamable HTTP, direct and then
// through `tributary mcp-proxy --listen`; its client scenarios with the MCP SDK's client, direct and
// pointed through the proxy. Every scenario must end the same both ways.
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
  '@modelcontextprotocol/conformance@0.2.0-alpha.12',
  '--',
  'conformance',
];
const CLI = join(root, 'dist/cli.js');
const CLIENT = join(import.meta.dirname, 'fixtures/conformance-client.mjs');
/** The scripted 2026-07-28 server of the mcp receiver's tests (no Node SDK serves that revision yet). */
const SERVER_2026 = join(root, 'test/plugins/receivers/mcp/fixtures/server-2026.mjs');
/**
 * The client scenarios 2025-11-25 requires that an MCP client without OAuth can take part in; the
 * auth/* ones need an OAuth client, which the SDK client here is not configured as.
 */
const CLIENT_SCENARIOS = ['initialize', 'tools_call', 'elicitation-sep1034-client-defaults', 'sse-retry'];
const run = promisify(execFile);
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

/** The suite's output (both streams); it exits non-zero when a scenario fails, which is no failure of the run here. */
async function suite(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const cwd = await mkdtemp(join(tmpdir(), 'trb-conformance-'));
  const { stdout, stderr } = await run('npx', [...CONFORMANCE, ...args], {
    cwd,
    env: { ...process.env, ...env },
    timeout: 180_000,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: { stdout?: string; stderr?: string }) => ({
    stdout: err.stdout ?? '',
    stderr: err.stderr ?? '',
  }));
  // Server runs print their summary on stdout; client runs print their checks on stderr.
  return `${stdout}\n${stderr}`;
}

/** Server scenario name -> "passed/failed" as the suite's summary prints it. */
async function serverScenarios(url: string, revision = '2025-11-25'): Promise<Record<string, string>> {
  const stdout = await suite(['server', '--url', url, '--requirements', revision]);
  const results: Record<string, string> = {};
  for (const m of stdout.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed/gmu))
    results[m[1] as string] = `${m[2]}/${m[3]}`;
  return results;
}

/** Client scenario's check id -> SUCCESS / FAILURE / WARNING, with the SDK client run as the suite's client. */
async function clientScenario(scenario: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const command = `${process.execPath} ${CLIENT}`;
  const stdout = await suite(
    ['client', '--command', command, '--scenario', scenario, '--spec-version', '2025-11-25'],
    env,
  );
  const checks: Record<string, string> = {};
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the suite colours its output
  const plain = stdout.replace(/\u001b\[\d+m/g, '');
  for (const m of plain.matchAll(/\[([\w-]+)\s*\] (SUCCESS|FAILURE|WARNING)/g))
    checks[m[1] as string] = m[2] as string;
  return checks;
}

/** A proxy config whose mcp receiver writes its spans to a JSON-lines file, in a fresh directory. */
async function proxyConfig(prefix: string): Promise<{ config: string; spansFile: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const config = join(dir, 'proxy.yaml');
  const spansFile = join(dir, 'spans.jsonl');
  await writeFile(
    config,
    `receivers: { mcp: }
exporters: { file: { path: ${spansFile} } }
service: { pipelines: { traces: { receivers: [mcp], exporters: [file] } } }
`,
  );
  return { config, spansFile };
}

/** `tributary mcp-proxy --listen` in front of `upstream`, once it answers. */
async function startProxy(
  config: string,
  upstream: string,
): Promise<{ proxy: ChildProcess; proxied: string }> {
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
  return { proxy, proxied };
}

/** The spans a file exporter wrote, one JSON object a line. */
async function spansIn(file: string) {
  return (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('MCP conformance through the HTTP proxy', () => {
  it('passes exactly the server scenarios a direct connection passes', { timeout: 300_000 }, async () => {
    const serverPort = await freePort();
    start(process.execPath, [EVERYTHING, 'streamableHttp'], { PORT: String(serverPort) });
    const upstream = `http://127.0.0.1:${serverPort}/mcp`;
    await expect.poll(() => reachable(upstream), { timeout: 20_000, interval: 200 }).toBe(true);

    const { config, spansFile } = await proxyConfig('trb-proxy-');
    const { proxy, proxied } = await startProxy(config, upstream);

    const direct = await serverScenarios(upstream);
    const through = await serverScenarios(proxied);
    // 30 scenarios required by 2025-11-25, and 3 run but not scored.
    expect(Object.keys(direct).length).toBeGreaterThanOrEqual(30);
    expect(direct['tools-call-simple-text']).toBe('2/0');
    expect(through).toEqual(direct);

    // The proxy observed the suite's traffic: spans reach the file once it drains on SIGTERM.
    const exited = new Promise((resolve) => proxy.on('exit', resolve));
    proxy.kill('SIGTERM');
    expect(await exited).toBe(0);
    const spans = await spansIn(spansFile);
    expect(
      spans.some(
        (s) => s.name === 'tools/list' && s.kind === 'SERVER' && s.attributes['network.transport'] === 'tcp',
      ),
    ).toBe(true);
  });

  it('scores the SDK client the same through the proxy', { timeout: 300_000 }, async () => {
    const { config, spansFile } = await proxyConfig('trb-proxy-client-');
    for (const scenario of CLIENT_SCENARIOS) {
      const direct = await clientScenario(scenario, {});
      const through = await clientScenario(scenario, { TRB_PROXY_CONFIG: config });
      expect(Object.keys(direct).length, scenario).toBeGreaterThan(0);
      expect(Object.values(direct), scenario).not.toContain('FAILURE');
      expect(through, scenario).toEqual(direct);
    }
    // The proxied runs were observed: the scenario server's tools were called through the proxy.
    const spans = await spansIn(spansFile);
    expect(spans.some((s) => s.name === 'tools/call add_numbers' && s.kind === 'SERVER')).toBe(true);
  });

  it('gives the 2026-07-28 scenarios the same results through the proxy', { timeout: 300_000 }, async () => {
    // The suite's own 2026-07-28 client traffic (per-request _meta, Mcp-Method / Mcp-Name headers,
    // multi-round-trip requests) against a server that implements a part of it: whatever each
    // scenario concludes, it must conclude the same through the proxy.
    const server = start(process.execPath, [SERVER_2026, 'http']);
    let said = '';
    for await (const chunk of server.stderr as AsyncIterable<Buffer>) {
      said += chunk.toString();
      if (said.includes('listening on port')) break;
    }
    const upstream = `http://127.0.0.1:${/listening on port (\d+)/.exec(said)?.[1]}/mcp`;
    const { config, spansFile } = await proxyConfig('trb-proxy-2026-');
    const { proxy, proxied } = await startProxy(config, upstream);

    const direct = await serverScenarios(upstream, '2026-07-28');
    const through = await serverScenarios(proxied, '2026-07-28');
    expect(Object.keys(direct).length).toBeGreaterThanOrEqual(37);
    // What the scripted server does implement passes: the header checks, resource-not-found, MRTR input validation.
    expect(direct['http-header-validation']).toMatch(/^\d+\/0$/);
    expect(direct['sep-2164-resource-not-found']).toMatch(/^\d+\/0$/);
    expect(through).toEqual(direct);

    // Observed as 2026-07-28: the version from each request's _meta, no session.
    const exited = new Promise((resolve) => proxy.on('exit', resolve));
    proxy.kill('SIGTERM');
    expect(await exited).toBe(0);
    const spans = await spansIn(spansFile);
    const listed = spans.filter((s) => s.name === 'tools/list' && s.kind === 'SERVER');
    expect(listed.length).toBeGreaterThan(0);
    for (const span of listed) {
      expect(span.attributes['mcp.protocol.version']).toBe('2026-07-28');
      expect(span.attributes).not.toHaveProperty('mcp.session.id');
    }
  });
});
