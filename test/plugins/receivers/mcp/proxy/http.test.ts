// The Streamable HTTP proxy in front of server-everything and of small hand-written upstreams.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  LATEST_PROTOCOL_VERSION,
  LoggingMessageNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { freePort } from '../../../../../core/testing/index.js';
import { type HttpProxy, startHttpProxy } from '../../../../../plugins/receivers/mcp/proxy/http.js';
import { EVERYTHING } from './fixtures/clients.js';
import { RecordingHooks } from './fixtures/recording-hooks.js';

const silent = pino({ level: 'silent' });
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listening(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() =>
    new Promise((resolve) => server.close(resolve)).then(() => server.closeAllConnections()),
  );
  return (server.address() as AddressInfo).port;
}

/** server-everything in Streamable HTTP mode (it reads PORT) on a free port. */
async function startEverything(): Promise<URL> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  cleanups.push(() => {
    child.kill('SIGKILL');
    return once(child, 'exit');
  });
  let said = '';
  for await (const chunk of child.stderr as AsyncIterable<Buffer>) {
    said += chunk.toString();
    if (said.includes('listening on port')) break;
  }
  return new URL(`http://127.0.0.1:${port}/mcp`);
}

async function proxyTo(upstream: URL, hooks = new RecordingHooks(), logger = silent): Promise<HttpProxy> {
  const proxy = await startHttpProxy(hooks, { listen: { port: 0 }, upstream, logger });
  cleanups.push(() => proxy.close());
  return proxy;
}

async function connect(url: URL, fetchSpy?: (method: string, status: number) => void) {
  const transport = new StreamableHTTPClientTransport(url, {
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      fetchSpy?.(init?.method ?? 'GET', response.status);
      return response;
    },
  });
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return { client, transport };
}

async function exercise(client: Client) {
  return {
    server: client.getServerVersion(),
    capabilities: client.getServerCapabilities(),
    tools: await client.listTools(),
    echo: await client.callTool({ name: 'echo', arguments: { message: 'over http' } }),
    sum: await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 40 } }),
    error: await client.callTool({ name: 'get-sum', arguments: { a: 'two' } }),
  };
}

describe('HTTP proxy in front of server-everything', () => {
  it('answers exactly as a direct connection and keeps the Mcp-Session-Id; hooks see each message', async () => {
    const upstream = await startEverything();
    const hooks = new RecordingHooks();
    const proxy = await proxyTo(upstream, hooks);
    const direct = await exercise((await connect(upstream)).client);
    const { client, transport } = await connect(proxy.url);
    const proxied = await exercise(client);
    expect(proxied).toEqual(direct);
    expect(proxied.sum).toEqual({ content: [{ type: 'text', text: 'The sum of 2 and 40 is 42.' }] });

    // One session, made for initialize and known by the id the upstream assigned.
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(hooks.sessions).toHaveLength(1);
    const session = hooks.byId(transport.sessionId);
    expect(session?.options).toMatchObject({ side: 'server', transport: 'tcp', clientAddress: '127.0.0.1' });
    const [initialize] = session?.find('incoming', { method: 'initialize' }) ?? [];
    expect(session?.find('outgoing', { id: initialize?.id })[0]?.result).toMatchObject({
      serverInfo: direct.server,
    });
    const [echo] = (session?.find('incoming', { method: 'tools/call' }) ?? []).filter(
      (m) => (m.params as { name: string }).name === 'echo',
    );
    expect(session?.find('outgoing', { id: echo?.id })).toEqual([
      { jsonrpc: '2.0', id: echo?.id, result: proxied.echo },
    ]);
    const observed = session?.observed.find((o) => o.kind === 'incoming' && o.message === echo);
    expect(observed).toMatchObject({ info: { clientAddress: '127.0.0.1', size: expect.any(Number) } });
  });

  it("relays the GET stream as it comes: the server's own notifications arrive", async () => {
    const upstream = await startEverything();
    const hooks = new RecordingHooks();
    const proxy = await proxyTo(upstream, hooks);
    let getOpened!: (status: number) => void;
    const getStatus = new Promise<number>((resolve) => (getOpened = resolve));
    const { client, transport } = await connect(proxy.url, (method, status) => {
      if (method === 'GET') getOpened(status);
    });
    // The GET stream's headers arrive before any event: the proxy does not wait for a first chunk.
    expect(await getStatus).toBe(200);
    const logged = new Promise<unknown>((resolve) =>
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => resolve(n.params)),
    );
    await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
    expect(await logged).toMatchObject({
      level: expect.any(String),
      data: expect.stringContaining('message'),
    });
    await client.callTool({ name: 'toggle-simulated-logging', arguments: {} }); // stop it
    const session = hooks.byId(transport.sessionId);
    expect(session?.find('outgoing', { method: 'notifications/message' }).length).toBeGreaterThan(0);
  });

  it('DELETE ends the session, upstream and in the hooks', async () => {
    const upstream = await startEverything();
    const hooks = new RecordingHooks();
    const proxy = await proxyTo(upstream, hooks);
    const { transport } = await connect(proxy.url);
    const id = transport.sessionId as string;
    const session = hooks.byId(id);
    await transport.terminateSession();
    await expect.poll(() => session?.closed).toBe(true);
    const after = await fetch(proxy.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': id,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/list' }),
    });
    expect(after.status).toBe(400); // server-everything: no such session
  });
});

describe('HTTP proxy', () => {
  it('answers 502 with a JSON-RPC error by the request id when the upstream is down, and logs it', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write: (chunk, _enc, done) => {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const hooks = new RecordingHooks();
    const proxy = await proxyTo(new URL(`http://127.0.0.1:${await freePort()}/mcp`), hooks, logger);
    const initialize = { jsonrpc: '2.0', id: 'init-1', method: 'initialize', params: {} };
    for (let i = 0; i < 2; i++) {
      const response = await fetch(proxy.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(initialize),
      });
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({
        jsonrpc: '2.0',
        id: 'init-1',
        error: { code: -32000, message: 'Bad gateway: the MCP server behind this proxy is unreachable' },
      });
    }
    // Logged once when it went down, not once per request.
    expect(lines.filter((l) => l.includes('MCP upstream unreachable'))).toHaveLength(1);
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ level: 40, code: 'ECONNREFUSED' });
    // The hooks saw the request answered with the error, and the would-be session ended.
    await expect.poll(() => hooks.sessions.every((s) => s.closed)).toBe(true);
    expect(hooks.sessions[0]?.find('outgoing', { id: 'init-1' })[0]).toMatchObject({
      error: { code: -32000 },
    });
    await expect(connect(proxy.url)).rejects.toThrow(/Bad gateway/);
  });

  it('in front of a stateless JSON server: same answers, a session per exchange without an id', async () => {
    const stateless = createServer(async (req, res) => {
      const server = new McpServer({ name: 'stateless', version: '1.0.0' });
      server.registerTool('double', { inputSchema: { n: z.number() } }, async ({ n }) => ({
        content: [{ type: 'text', text: String(n * 2) }],
      }));
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      res.on('close', () => void server.close());
      await server.connect(transport);
      await transport.handleRequest(req, res);
    });
    const upstream = new URL(`http://127.0.0.1:${await listening(stateless)}/`);
    const hooks = new RecordingHooks();
    const proxy = await proxyTo(upstream, hooks);
    const call = (client: Client) => client.callTool({ name: 'double', arguments: { n: 21 } });
    const direct = await call((await connect(upstream)).client);
    const proxied = await call((await connect(proxy.url)).client);
    expect(proxied).toEqual(direct);
    expect(proxied).toEqual({ content: [{ type: 'text', text: '42' }] });
    // Each exchange without a session id is a session of its own: ids two clients both use never mix.
    const withCall = hooks.sessions.find((s) => s.find('incoming', { method: 'tools/call' }).length > 0);
    const [request] = withCall?.find('incoming', { method: 'tools/call' }) ?? [];
    expect(withCall?.find('outgoing', { id: request?.id })[0]).toMatchObject({ result: proxied });
    expect(withCall?.closed).toBe(true);
    // Such a session saw no initialize: its version is the MCP-Protocol-Version header the client sent.
    const callInfo = withCall?.observed.find(
      (o) => o.kind === 'incoming' && (o.message as { method?: string }).method === 'tools/call',
    );
    expect(callInfo).toMatchObject({ info: { protocolVersion: LATEST_PROTOCOL_VERSION } });
    expect(
      hooks.sessions.filter((s) => s.find('incoming', { method: 'initialize' }).length > 0),
    ).toHaveLength(1);
  });

  it('streams SSE through chunk by chunk, drops hop-by-hop headers, rewrites Host, routes paths', async () => {
    const seen: { method?: string; url?: string; headers: IncomingMessage['headers'] }[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const upstream = createServer(async (req: IncomingMessage, res: ServerResponse) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers });
      for await (const _ of req);
      if (req.url?.startsWith('/other'))
        return void res.writeHead(200, { 'content-type': 'text/plain' }).end('other');
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'mcp-session-id': 'session-1',
        'keep-alive': 'timeout=99',
        'x-upstream': 'yes',
      });
      res.write('event: message\r\ndata: {"jsonrpc":"2.0","id":1,\r\ndata: "result":{}}\r\n\r\n');
      await released; // the client must get the first event before the upstream goes on
      res.end('data: {"jsonrpc":"2.0","method":"notifications/message","params":{}}\n\n');
    });
    const port = await listening(upstream);
    const hooks = new RecordingHooks();
    const proxy = await proxyTo(new URL(`http://127.0.0.1:${port}/mcp?key=k`), hooks);

    const response = await fetch(new URL('/mcp?x=1', proxy.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'proxy-authorization': 'Basic eA==',
        'x-forwarded-for': '10.1.2.3, 127.0.0.1',
        'x-custom': 'kept',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    expect(response.headers.get('mcp-session-id')).toBe('session-1');
    expect(response.headers.get('x-upstream')).toBe('yes');
    expect(response.headers.get('keep-alive')).not.toBe('timeout=99');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value ?? []).toString()).toContain('"id":1,');
    release();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest += Buffer.from(r.value).toString();
    expect(rest).toContain('notifications/message');

    expect(seen[0]).toMatchObject({ method: 'POST', url: '/mcp?key=k&x=1' });
    expect(seen[0]?.headers).toMatchObject({ host: `127.0.0.1:${port}`, 'x-custom': 'kept' });
    expect(seen[0]?.headers['proxy-authorization']).toBeUndefined();
    const session = hooks.byId('session-1');
    // The proxy reports the peer and the header; the receiver decides whether to believe it.
    expect(session?.options.clientAddress).toBe('127.0.0.1');
    expect(session?.observed.find((o) => o.kind === 'incoming')).toMatchObject({
      info: { clientAddress: '127.0.0.1', forwardedFor: '10.1.2.3, 127.0.0.1' },
    });
    expect(session?.messages('outgoing')).toEqual([
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', method: 'notifications/message', params: {} },
    ]);

    expect(await (await fetch(new URL('/other/path?q=2', proxy.url))).text()).toBe('other');
    expect(seen[1]).toMatchObject({ method: 'GET', url: '/other/path?q=2' });
  });

  it('keeps a DNS-rebinding Host, so an upstream that refuses it still can; rewrites a loopback one', async () => {
    const hosts: (string | undefined)[] = [];
    const upstream = createServer((req, res) => {
      hosts.push(req.headers.host);
      // What the MCP SDK's localhostHostValidation does for local servers.
      const allowed = ['localhost', '127.0.0.1', '[::1]'].includes(
        new URL(`http://${req.headers.host}`).hostname,
      );
      req.resume();
      res.writeHead(allowed ? 200 : 403, { 'content-type': 'application/json' }).end('{}');
    });
    const port = await listening(upstream);
    const proxy = await proxyTo(new URL(`http://127.0.0.1:${port}/mcp`));
    const statusWithHost = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(proxy.url, { method: 'POST', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end('{}');
      });
    expect(await statusWithHost('evil.example.com:8080')).toBe(403);
    expect(await statusWithHost(`localhost:${proxy.address.port}`)).toBe(200);
    expect(hosts).toEqual(['evil.example.com:8080', `127.0.0.1:${port}`]);
  });

  it('ends a session the upstream answers 404 for (it expired there)', async () => {
    const upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}}');
    });
    const hooks = new RecordingHooks();
    const proxy = await proxyTo(new URL(`http://127.0.0.1:${await listening(upstream)}/mcp`), hooks);
    const response = await fetch(proxy.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mcp-session-id': 'expired' },
      body: '{"jsonrpc":"2.0","id":4,"method":"tools/list"}',
    });
    expect(response.status).toBe(404);
    await expect.poll(() => hooks.byId('expired')?.closed).toBe(true);
    expect(hooks.byId('expired')?.find('incoming', { method: 'tools/list' })).toHaveLength(1);
  });

  it('observes a gzip-compressed JSON response and relays it compressed', async () => {
    const message = { jsonrpc: '2.0', id: 7, result: { tools: [] } };
    const upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify(message)));
    });
    const hooks = new RecordingHooks();
    const proxy = await proxyTo(new URL(`http://127.0.0.1:${await listening(upstream)}/`), hooks);
    const response = await fetch(proxy.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
    });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(await response.json()).toEqual(message); // fetch undoes the gzip the proxy relayed
    await expect.poll(() => hooks.sessions[0]?.messages('outgoing')).toEqual([message]);
  });
});
