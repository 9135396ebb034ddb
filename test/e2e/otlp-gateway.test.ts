// Agent -> gateway on loopback, as users deploy them: two `tributary` processes (the built CLI). The
// agent is `tributary mcp-proxy` in front of server-everything, driven by the MCP SDK's own client;
// its mcp receiver feeds both a local `file` exporter (the reference) and the `otlp` exporter, which
// sends to the gateway's `otlp` receiver; the gateway writes what it receives with its own `file`
// exporter. Both files are OTLP/JSON: every span, data point and log record must be in both, equal.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../core/testing/index.js';

const root = join(import.meta.dirname, '../..');
const EVERYTHING = join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const CLI = join(root, 'dist/cli.js');

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function start(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  return child;
}

/** SIGTERM, and the exit code once the process has drained and ended. */
function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

const until = (check: () => Promise<unknown>) =>
  expect
    .poll(
      () =>
        check().then(
          () => true,
          () => false,
        ),
      { timeout: 20_000, interval: 200 },
    )
    .toBe(true);

/**
 * Every item of an OTLP/JSON lines file with its resource and scope, one JSON text each, sorted:
 * how the requests were cut into batches does not matter, what they carry does.
 */
async function items(path: string, signal: 'Spans' | 'Metrics' | 'Logs'): Promise<string[]> {
  const itemKey = { Spans: 'spans', Metrics: 'metrics', Logs: 'logRecords' }[signal];
  const out: string[] = [];
  for (const line of (await readFile(path, 'utf8')).split('\n').filter(Boolean)) {
    const request = JSON.parse(line) as Record<string, Record<string, unknown>[]>;
    for (const r of request[`resource${signal}`] ?? []) {
      for (const s of (r[`scope${signal}`] as Record<string, unknown>[]) ?? []) {
        // Protobuf strings have no presence: a version of "" and none are the same message.
        const scope = { version: '', ...(s.scope as object) };
        for (const item of (s[itemKey] as unknown[]) ?? []) {
          out.push(JSON.stringify({ resource: r.resource, scope, item }));
        }
      }
    }
  }
  return out.sort();
}

describe('agent (otlp exporter) -> gateway (otlp receiver), two processes', () => {
  it('spans, metrics and logs arrive intact', { timeout: 90_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trb-otlp-gateway-'));
    const [gatewayPort, serverPort, proxyPort] = [await freePort(), await freePort(), await freePort()];
    const pipelines = (receiver: string, exporters: string) =>
      ['traces', 'metrics', 'logs']
        .map((s) => `    ${s}: { receivers: [${receiver}], exporters: [${exporters}] }`)
        .join('\n');

    const gatewayYaml = join(dir, 'gateway.yaml');
    await writeFile(
      gatewayYaml,
      `receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${gatewayPort}" } } }
exporters:
  file: { path: ${join(dir, 'gateway.jsonl')}, encoding: otlp_json }
service:
  pipelines:
${pipelines('otlp', 'file')}
`,
    );
    const agentYaml = join(dir, 'agent.yaml');
    await writeFile(
      agentYaml,
      `receivers: { mcp: }
exporters:
  file: { path: ${join(dir, 'agent.jsonl')}, encoding: otlp_json }
  otlp: { endpoint: "http://127.0.0.1:${gatewayPort}" }
service:
  pipelines:
${pipelines('mcp', 'file, otlp')}
`,
    );

    const gateway = start([CLI, 'run', '--config', gatewayYaml]);
    await until(() => fetch(`http://127.0.0.1:${gatewayPort}/`));
    start([EVERYTHING, 'streamableHttp'], { PORT: String(serverPort) });
    const upstream = `http://127.0.0.1:${serverPort}/mcp`;
    const agent = start([
      CLI,
      'mcp-proxy',
      '--config',
      agentYaml,
      '--listen',
      `127.0.0.1:${proxyPort}`,
      '--upstream',
      upstream,
    ]);
    await until(() => fetch(upstream));
    await until(() => fetch(`http://127.0.0.1:${proxyPort}/mcp`));

    const client = new Client({ name: 'agent-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${proxyPort}/mcp`)));
    await client.listTools();
    await client.callTool({ name: 'echo', arguments: { message: 'to the gateway' } });
    await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 40 } });
    await client.callTool({ name: 'get-sum', arguments: { a: 'x' } }).catch(() => undefined);
    await client.close();

    // The agent drains its queues into the gateway before it exits; then the gateway flushes its file.
    expect(await stop(agent)).toBe(0);
    expect(await stop(gateway)).toBe(0);

    for (const signal of ['Spans', 'Metrics', 'Logs'] as const) {
      const sent = await items(join(dir, 'agent.jsonl'), signal);
      const received = await items(join(dir, 'gateway.jsonl'), signal);
      expect(sent.length, signal).toBeGreaterThan(0);
      expect(received, signal).toEqual(sent);
    }
    const spans = (await items(join(dir, 'gateway.jsonl'), 'Spans')).map(
      (text) => JSON.parse(text) as { item: { name: string; attributes: { key: string }[] } },
    );
    const sum = spans.find((s) => s.item.name === 'tools/call get-sum');
    expect(sum?.item.attributes.map((a) => a.key)).toContain('gen_ai.tool.name');
  });
});
