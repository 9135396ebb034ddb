// `tributary mcp-proxy` as the CLI runs it: a real engine from YAML, the file exporter's output.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Command, CommanderError } from 'commander';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../../../core/plugin.js';
import { freePort } from '../../../../../core/testing/index.js';
import { builtins } from '../../../../../plugins/index.js';
import { addMcpProxyCommand } from '../../../../../plugins/receivers/mcp/proxy/command.js';
import { EVERYTHING, StreamsTransport } from './fixtures/clients.js';

const ECHO_SERVER = join(import.meta.dirname, 'fixtures/echo-server.mjs');
const CONSOLE_EXPORTER = join(import.meta.dirname, '../../../../fixtures/plugins/console-exporter.js');
// The engine's own diagnostics would go to fd 2, into the test runner's output.
const cli: CliContext = { plugins: builtins, logger: pino({ level: 'silent' }) };

let dir: string;
let io: { stdin: PassThrough; stdout: PassThrough; stderr: PassThrough };
let usage: string[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trb-mcp-proxy-'));
  io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
  usage = [];
});
afterEach(async () => {
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

function program(): Command {
  const p = new Command('tributary').exitOverride().configureOutput({
    writeErr: (s) => void usage.push(s),
    writeOut: (s) => void usage.push(s),
  });
  addMcpProxyCommand(p, cli, io);
  return p;
}

const run = (...args: string[]) => program().parseAsync(['mcp-proxy', ...args], { from: 'user' });

async function config(yaml: string): Promise<string> {
  const file = join(dir, 'config.yaml');
  await writeFile(file, yaml);
  return file;
}

const FILE_CONFIG = () => `receivers: { mcp: {} }
exporters:
  file/traces: { path: ${join(dir, 'traces.jsonl')} }
  stdout: { stream: stderr }
service:
  telemetry: { logs: { level: warn } }
  pipelines:
    traces: { receivers: [mcp], exporters: [file/traces] }
`;

async function spans(): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(dir, 'traces.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('tributary mcp-proxy -- COMMAND (stdio)', () => {
  it('proxies server-everything, exits with its code, and the file exporter has the spans', async () => {
    const done = run('--config', await config(FILE_CONFIG()), '--', process.execPath, EVERYTHING, 'stdio');
    const relayed: Buffer[] = [];
    io.stdout.on('data', (c: Buffer) => relayed.push(c));
    const client = new Client({ name: 'cli-test', version: '1.0.0' });
    await client.connect(new StreamsTransport(io.stdin, io.stdout));
    const echo = await client.callTool({ name: 'echo', arguments: { message: 'via the CLI' } });
    expect(echo).toEqual({ content: [{ type: 'text', text: 'Echo: via the CLI' }] });
    await client.close();
    await done;
    expect(process.exitCode).toBe(0);

    // stdout carried the MCP stream and nothing else.
    for (const line of Buffer.concat(relayed).toString().split('\n').filter(Boolean))
      expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    const span = (await spans()).find((s) => s.name === 'tools/call echo');
    expect(span).toMatchObject({
      kind: 'SERVER',
      attributes: {
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'echo',
        'network.transport': 'pipe',
      },
    });
  });

  it("exits with the server's exit code", async () => {
    const done = run('--config', await config(FILE_CONFIG()), '--', process.execPath, ECHO_SERVER, '7');
    io.stdin.end('not json\n');
    await done;
    expect(process.exitCode).toBe(7);
  });

  it('refuses a config whose stdout exporter writes to stdout, before starting anything', async () => {
    const file = await config(`receivers: { mcp: {} }
exporters:
  stdout: {}
service:
  pipelines:
    logs: { receivers: [mcp], exporters: [stdout] }
`);
    await expect(run('--config', file, '--', process.execPath, ECHO_SERVER)).rejects.toMatchObject({
      errors: [
        {
          code: 'TRB_PROXY_STDOUT_CONFLICT',
          source: { file, line: 3 },
          message: 'exporter "stdout" writes to stdout, which carries the MCP stream in stdio mode',
        },
      ],
    });
    const toDevStdout = await config(`receivers: { mcp: {} }
exporters: { file/out: { path: /dev/stdout } }
service: { pipelines: { traces: { receivers: [mcp], exporters: [file/out] } } }
`);
    await expect(run('--config', toDevStdout, '--', process.execPath, ECHO_SERVER)).rejects.toMatchObject({
      errors: [
        { code: 'TRB_PROXY_STDOUT_CONFLICT', message: expect.stringContaining('exporter "file/out"') },
      ],
    });
  });

  it('refuses a third-party exporter that declares it writes to stdout, as it does the built-ins', async () => {
    const file = await config(`plugins: [${CONSOLE_EXPORTER}]
receivers: { mcp: {} }
exporters: { console/mine: {}, console/other: { to: stderr } }
service: { pipelines: { traces: { receivers: [mcp], exporters: [console/mine, console/other] } } }
`);
    io.stdin.end(); // were it not refused, the proxy would end here rather than wait
    await expect(run('--config', file, '--', process.execPath, ECHO_SERVER)).rejects.toMatchObject({
      errors: [
        {
          code: 'TRB_PROXY_STDOUT_CONFLICT',
          source: { file, line: 3 },
          message: 'exporter "console/mine" writes to stdout, which carries the MCP stream in stdio mode',
        },
      ],
    });
  });

  it('runs with a stdout exporter on stream: stderr in a pipeline (stdout stays the MCP stream)', async () => {
    const file = await config(`receivers: { mcp: {} }
exporters: { stdout: { stream: stderr } }
service: { pipelines: { logs: { receivers: [mcp], exporters: [stdout] } } }
`);
    const done = run('--config', file, '--', process.execPath, ECHO_SERVER, '7');
    io.stdin.end('not json\n');
    await done;
    expect(process.exitCode).toBe(7);
  });

  it('needs the mcp receiver in a pipeline, and says what to add', async () => {
    const withoutMcp = await config(`receivers: { selftelemetry: {} }
exporters: { file: { path: ${join(dir, 'metrics.jsonl')} } }
service: { pipelines: { metrics: { receivers: [selftelemetry], exporters: [file] } } }
`);
    await expect(run('--config', withoutMcp, '--', 'true')).rejects.toMatchObject({
      code: 'TRB_PROXY_NO_RECEIVER',
      message: 'the config has no receiver "mcp" to observe the proxied traffic',
      hint: expect.stringContaining('add "mcp: {}" under receivers:'),
    });
    await expect(
      run('--config', withoutMcp, '--receiver', 'selftelemetry', '--', 'true'),
    ).rejects.toMatchObject({
      code: 'TRB_PROXY_NO_RECEIVER',
      message: 'receiver "selftelemetry" is not an mcp receiver, so it cannot observe MCP traffic',
    });
    const unused = await config(`receivers: { mcp: {}, selftelemetry: {} }
exporters: { stdout: { stream: stderr } }
service: { pipelines: { metrics: { receivers: [selftelemetry], exporters: [stdout] } } }
`);
    await expect(run('--config', unused, '--', 'true')).rejects.toMatchObject({
      code: 'TRB_PROXY_NO_RECEIVER',
      message: 'receiver "mcp" is in no pipeline, so nothing would observe the proxied traffic',
      source: { file: unused, line: 1 },
    });
  });
});

describe('tributary mcp-proxy --listen --upstream (Streamable HTTP)', () => {
  it('proxies server-everything until SIGTERM; spans carry the session id and client address', async () => {
    const [upstreamPort, listenPort] = [await freePort(), await freePort()];
    const server = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
      env: { ...process.env, PORT: String(upstreamPort) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      for await (const chunk of server.stderr as AsyncIterable<Buffer>)
        if (String(chunk).includes('listening')) break;
      const done = run(
        '--config',
        await config(FILE_CONFIG()),
        '--listen',
        `127.0.0.1:${listenPort}`,
        '--upstream',
        `http://127.0.0.1:${upstreamPort}/mcp`,
      );
      const proxy = `http://127.0.0.1:${listenPort}`;
      // Listening once the engine has started; any other path than the MCP endpoint is relayed unobserved.
      await expect
        .poll(() =>
          fetch(`${proxy}/ready`).then(
            () => true,
            () => false,
          ),
        )
        .toBe(true);
      const client = new Client({ name: 'cli-test', version: '1.0.0' });
      // Not believed: the config names no trusted_proxies.
      const transport = new StreamableHTTPClientTransport(new URL(`${proxy}/mcp`), {
        requestInit: { headers: { 'x-forwarded-for': '203.0.113.7' } },
      });
      await client.connect(transport);
      const sum = await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } });
      expect(sum).toEqual({ content: [{ type: 'text', text: 'The sum of 1 and 2 is 3.' }] });
      await client.close();
      process.emit('SIGTERM', 'SIGTERM');
      await done;

      const all = await spans();
      // initialize came before the session id existed; its span has the id the response assigned.
      expect(all.find((s) => s.name === 'initialize')).toMatchObject({
        attributes: { 'mcp.session.id': transport.sessionId },
      });
      const span = all.find((s) => s.name === 'tools/call get-sum');
      expect(span).toMatchObject({
        kind: 'SERVER',
        attributes: {
          'network.transport': 'tcp',
          'mcp.session.id': transport.sessionId,
          'client.address': '127.0.0.1',
        },
      });
      expect(process.listenerCount('SIGTERM')).toBe(0);
    } finally {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
  });

  it('checks --listen and --upstream, and wants exactly one way to reach the server', async () => {
    const file = await config(FILE_CONFIG());
    await expect(
      run('--config', file, '--listen', 'localhost', '--upstream', 'http://x/mcp'),
    ).rejects.toMatchObject({
      code: 'TRB_CONFIG_BAD_ENDPOINT',
    });
    // The URL it quotes has its password masked.
    await expect(
      run('--config', file, '--listen', ':0', '--upstream', 'ftp://bot:pa55word@x/mcp'),
    ).rejects.toMatchObject({
      code: 'TRB_PROXY_BAD_UPSTREAM',
      message: 'invalid --upstream "ftp://bot:REDACTED@x/mcp"',
    });
    for (const args of [
      ['--listen', ':0', '--upstream', 'http://x/mcp', '--', 'node'],
      ['--listen', ':0'],
      [],
    ]) {
      await expect(run('--config', file, ...args)).rejects.toBeInstanceOf(CommanderError);
    }
    expect(usage.join('')).toMatch(/not both[\s\S]*needs both[\s\S]*say which MCP server/);
  });
});
