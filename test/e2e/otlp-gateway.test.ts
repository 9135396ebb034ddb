// Agent -> gateway on loopback, as users deploy them: two `tributary` processes (the built CLI) on
// the shipped pipelines/mcp-agent.yaml and pipelines/gateway.yaml. The agent is `tributary mcp-proxy`
// in front of server-everything, driven by the MCP SDK's own client; a config merged over each file
// adds a `file` exporter where the data leaves: beside the agent's `otlp` exporter (the reference) and
// in place of the gateway's backends. Both files are OTLP/JSON: every span, data point and log record
// must be in both, equal.
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
const GATEWAY_YAML = join(root, 'pipelines/gateway.yaml');
const AGENT_YAML = join(root, 'pipelines/mcp-agent.yaml');

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

    // The shipped files, each with a `file` exporter added where the data leaves.
    const gatewayYaml = join(dir, 'gateway-files.yaml');
    await writeFile(
      gatewayYaml,
      `exporters:
  file: { path: ${join(dir, 'gateway.jsonl')}, encoding: otlp_json }
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [file] }
    metrics: { receivers: [otlp], exporters: [file] }
    logs: { receivers: [otlp], exporters: [file] }
`,
    );
    const agentYaml = join(dir, 'agent-files.yaml');
    await writeFile(
      agentYaml,
      `exporters:
  file: { path: ${join(dir, 'agent.jsonl')}, encoding: otlp_json }
service:
  pipelines:
    traces: { receivers: [mcp], exporters: [file, otlp] }
    metrics: { receivers: [mcp, selftelemetry], exporters: [file, otlp] }
    logs: { receivers: [mcp], exporters: [file, otlp] }
`,
    );
    const env = {
      OTLP_ENDPOINT: `127.0.0.1:${gatewayPort}`,
      GATEWAY_ENDPOINT: `http://127.0.0.1:${gatewayPort}`,
      PROMETHEUS_ENDPOINT: `127.0.0.1:${await freePort()}`,
      TRIBUTARY_DATA: dir,
    };

    const gateway = start([CLI, 'run', '--config', GATEWAY_YAML, '--config', gatewayYaml], env);
    await until(() => fetch(`http://127.0.0.1:${gatewayPort}/`));
    start([EVERYTHING, 'streamableHttp'], { PORT: String(serverPort) });
    const upstream = `http://127.0.0.1:${serverPort}/mcp`;
    const agent = start(
      [
        CLI,
        'mcp-proxy',
        '--config',
        AGENT_YAML,
        '--config',
        agentYaml,
        '--listen',
        `127.0.0.1:${proxyPort}`,
        '--upstream',
        upstream,
      ],
      env,
    );
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
