// The stdio proxy: bytes pass unchanged both ways, messages are observed, exit codes pass through.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningPipeline, startPipeline } from '../../../../../core/testing/index.js';
import { builtins } from '../../../../../plugins/index.js';
import { runStdioProxy } from '../../../../../plugins/receivers/mcp/proxy/stdio.js';
import type { McpHooks } from '../../../../../plugins/receivers/mcp/types.js';
import { EVERYTHING, StreamsTransport } from './fixtures/clients.js';
import { RecordingHooks } from './fixtures/recording-hooks.js';

const ECHO_SERVER = join(import.meta.dirname, 'fixtures/echo-server.mjs');
const logger = pino({ level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Runs the proxy over in-memory streams and collects what it writes to stdout and stderr. */
function proxy(hooks: McpHooks, command: string, args: string[]) {
  const stdin = new PassThrough();
  const stdout = collect();
  const stderr = collect();
  const exit = runStdioProxy(hooks, command, args, {
    stdin,
    stdout: stdout.stream,
    stderr: stderr.stream,
    logger,
  });
  return { stdin, stdout, stderr, exit };
}

function collect() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, bytes: () => Buffer.concat(chunks) };
}

/** Writes `bytes` in chunks of random sizes, so lines break everywhere, then ends the stream. */
async function writeChunked(stream: Writable, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(Math.random() * 70_000);
    if (!stream.write(bytes.subarray(at, at + size))) await new Promise((r) => stream.once('drain', r));
    at += size;
  }
  stream.end();
}

/** What an independent reading of `bytes` finds: the JSON-RPC lines, and how many lines are not. */
function expectedObservations(bytes: Buffer, maxLine = 16 * 1024 * 1024) {
  const messages: unknown[] = [];
  let unparsed = 0;
  let start = 0;
  for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, start)) {
    const line = bytes.subarray(start, nl);
    start = nl + 1;
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = line.length <= maxLine ? JSON.parse(line.toString()) : undefined;
    } catch {}
    const all = Array.isArray(value) ? value : [value];
    if (all.length > 0 && all.every((m) => m?.jsonrpc === '2.0')) messages.push(value);
    else unparsed++;
  }
  if (start < bytes.length) unparsed++;
  return { messages, unparsed };
}

describe('stdio proxy', () => {
  it('relays random bytes, malformed JSON-RPC, partial and huge lines byte for byte, both ways', async () => {
    const request = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } };
    const input = Buffer.concat([
      Buffer.from(`${JSON.stringify(request)}\n`),
      randomBytes(300_000),
      Buffer.from(
        '\n\r\n\0\n\xff\xfe{"jsonrpc":"2.0"\n{"jsonrpc":"1.0","id":2}\n[]\n[{"jsonrpc":"2.0","method":"x"}]\r\n',
      ),
      Buffer.from([0xc3, 0x28, 0x0a, 0xed, 0xa0, 0x80, 0x0a]), // invalid UTF-8
      Buffer.alloc(17 * 1024 * 1024, 'x'), // longer than a line may be: relayed, counted, not parsed
      Buffer.from('\n{"jsonrpc":"2.0","method":"notifications/initialized"}\n'),
      randomBytes(1000),
      Buffer.from('{"jsonrpc":"2.0","id":9,"method":"ping"'), // a partial last line
    ]);
    const prelude = Buffer.concat([
      randomBytes(200_000),
      Buffer.from('\n{"jsonrpc":"2.0","id":1,"result":{}}\nnot json\n{"jsonrpc":"2.0",'),
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'trb-proxy-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const preludeFile = join(dir, 'prelude');
    await writeFile(preludeFile, prelude);
    const hooks = new RecordingHooks();
    const run = proxy(hooks, process.execPath, [ECHO_SERVER, '3', preludeFile]);
    await writeChunked(run.stdin, input);

    expect(await run.exit).toBe(3);
    const relayed = run.stdout.bytes();
    expect(relayed.length).toBe(prelude.length + input.length);
    expect(relayed.equals(Buffer.concat([prelude, input]))).toBe(true);
    expect(run.stderr.bytes().toString()).toBe('echo-server: stderr passes through\n');

    const [session] = hooks.sessions;
    expect(hooks.sessions).toHaveLength(1);
    expect(session?.options).toMatchObject({ side: 'server', transport: 'pipe' });
    const fromClient = expectedObservations(input);
    const fromServer = expectedObservations(Buffer.concat([prelude, input]));
    expect(session?.messages('incoming')).toEqual(fromClient.messages);
    expect(session?.messages('outgoing')).toEqual(fromServer.messages);
    expect(session?.unparsedSizes()).toHaveLength(fromClient.unparsed + fromServer.unparsed);
    expect(session?.observed[0]).toEqual({
      kind: 'incoming',
      message: request,
      info: { size: JSON.stringify(request).length },
    });
    expect(session?.closed).toBe(true);
    expect(session?.closeError?.message).toBe('the MCP server exited with code 3');
  });

  it('exits with 128 + the signal number when a signal killed the server', async () => {
    const hooks = new RecordingHooks();
    const run = proxy(hooks, process.execPath, [ECHO_SERVER, 'hang']);
    const pid = Number(await firstLine(run.stdout.stream));
    process.kill(pid, 'SIGKILL');
    expect(await run.exit).toBe(128 + 9);
    expect(hooks.sessions[0]?.closeError?.message).toBe('the MCP server exited with SIGKILL');
  });

  it("passes this process's signals on to the server", async () => {
    const stdout = collect();
    const exit = runStdioProxy(new RecordingHooks(), process.execPath, [ECHO_SERVER, 'hang'], {
      stdin: new PassThrough(),
      stdout: stdout.stream,
      stderr: new PassThrough(),
      logger,
      signals: ['SIGUSR2'], // a signal no test runner listens for; the default list is SIGINT, SIGTERM, SIGHUP
    });
    await firstLine(stdout.stream);
    process.kill(process.pid, 'SIGUSR2');
    expect(await exit).toBe(128 + 12); // SIGUSR2 ends a node process that does not handle it
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });

  it('refuses a command that cannot start, with the reason', async () => {
    const run = runStdioProxy(new RecordingHooks(), 'no-such-mcp-server-command', [], {
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      logger,
    });
    await expect(run).rejects.toMatchObject({
      code: 'TRB_PROXY_SPAWN_FAILED',
      message: expect.stringMatching(/ENOENT/),
    });
  });
});

function firstLine(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (c: Buffer) => {
      text += c.toString();
      if (!text.includes('\n')) return;
      stream.off('data', onData);
      resolve(text.slice(0, text.indexOf('\n')));
    };
    stream.on('data', onData);
  });
}

/** What the everything server answers: the tool list, an echo and a sum. */
async function exercise(client: Client) {
  return {
    tools: await client.listTools(),
    echo: await client.callTool({ name: 'echo', arguments: { message: 'through the proxy' } }),
    sum: await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 40 } }),
    error: await client.callTool({ name: 'get-sum', arguments: { a: 'two' } }),
  };
}

describe('server-everything through the stdio proxy', () => {
  let pipeline: RunningPipeline | undefined;
  afterEach(async () => {
    await pipeline?.shutdown();
    pipeline = undefined;
  });

  async function direct() {
    const client = new Client({ name: 'direct', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], stderr: 'pipe' }),
    );
    try {
      return await exercise(client);
    } finally {
      await client.close();
    }
  }

  async function proxied(hooks: McpHooks) {
    const run = proxy(hooks, process.execPath, [EVERYTHING, 'stdio']);
    const client = new Client({ name: 'proxied', version: '1.0.0' });
    await client.connect(new StreamsTransport(run.stdin, run.stdout.stream));
    const results = await exercise(client);
    await client.close();
    return { results, exitCode: await run.exit };
  }

  it('answers exactly as a direct connection, and the hooks see every message', async () => {
    const hooks = new RecordingHooks();
    const { results, exitCode } = await proxied(hooks);
    expect(results).toEqual(await direct());
    expect(results.echo).toEqual({ content: [{ type: 'text', text: 'Echo: through the proxy' }] });
    expect(exitCode).toBe(0);

    const session = hooks.sessions[0];
    const [call] = session?.find('incoming', { method: 'tools/call' }) ?? [];
    expect(call).toMatchObject({ params: { name: 'echo', arguments: { message: 'through the proxy' } } });
    expect(session?.find('outgoing', { id: call?.id })).toEqual([
      { jsonrpc: '2.0', id: call?.id, result: results.echo },
    ]);
    for (const method of ['initialize', 'notifications/initialized', 'tools/list'])
      expect(session?.find('incoming', { method }), method).toHaveLength(1);
    expect(session?.unparsedSizes()).toEqual([]);
  });

  it('feeds a real mcp receiver: one SERVER span per request, network.transport pipe', async () => {
    pipeline = await startPipeline(
      `receivers: { mcp: }
exporters: { sink: }
service: { pipelines: { traces: { receivers: [mcp], exporters: [sink] } } }
`,
      { plugins: builtins },
    );
    const hooks = pipeline.engine.sharedOf<McpHooks>('mcp');
    if (!hooks) throw new Error('the mcp receiver shares no hooks');
    await proxied(hooks);
    await pipeline.shutdown();
    const spans = pipeline.recorded.items('traces') as ReadableSpan[];
    const names = spans.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['initialize', 'tools/list', 'tools/call echo', 'tools/call get-sum']),
    );
    const echo = spans.find((s) => s.name === 'tools/call echo');
    expect(echo?.kind).toBe(1); // SERVER
    expect(echo?.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'echo',
      'network.transport': 'pipe',
    });
  });
});
