import {
  createServer,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { TributaryError } from '../../../../core/errors.js';
import type { McpHooks } from '../types.js';
import { McpExchange } from './exchange.js';
import { observationGuard } from './guard.js';
import { HttpSessions } from './sessions.js';

export interface HttpProxyOptions {
  /** Where to listen. The host defaults to 127.0.0.1; port 0 takes a free port. */
  listen: { host?: string; port: number };
  /** The MCP server's Streamable HTTP endpoint, e.g. http://127.0.0.1:3001/mcp. */
  upstream: URL;
  logger: Logger;
  /** A session without requests or open streams for this long is closed. Default 30 minutes; 0: never. */
  sessionIdleMs?: number;
}

export interface HttpProxy {
  /** Where it listens (with the port it got when asked for 0). */
  address: { host: string; port: number };
  /** What MCP clients connect to: the upstream endpoint's path on the proxy. */
  url: URL;
  /** Stops listening, cuts open streams and closes every session. */
  close(): Promise<void>;
}

const SESSION_IDLE_MS = 30 * 60_000;

/**
 * A reverse proxy in front of a Streamable HTTP MCP server. Requests to the upstream's path (or to `/`)
 * go to the upstream URL; any other path goes to the same path on the upstream's origin (OAuth
 * metadata and the like pass through). Bodies and SSE streams are streamed both ways as they come,
 * headers pass except hop-by-hop ones, and MCP traffic is reported to the hooks (exchange.ts).
 */
export async function startHttpProxy(hooks: McpHooks, options: HttpProxyOptions): Promise<HttpProxy> {
  const { upstream, logger } = options;
  const host = options.listen.host ?? '127.0.0.1';
  const sessions = new HttpSessions(hooks, logger, options.sessionIdleMs ?? SESSION_IDLE_MS);
  const guard = observationGuard(logger);
  const health = upstreamHealth(upstream, logger);
  const https = upstream.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const send = https ? httpsRequest : httpRequest;
  const hostOf = upstreamHost(upstream, isLoopback(host));

  const relay = (req: IncomingMessage, res: ServerResponse) => {
    const route = routeOf(upstream, req.url);
    if (!route) return void res.writeHead(400).end();
    let exchange: McpExchange | undefined;
    if (route.mcp && OBSERVED.has(req.method ?? '')) {
      guard(() => {
        exchange = new McpExchange(req, sessions, guard);
      });
    }
    const forwarded = send(route.url, {
      method: req.method,
      headers: withoutHopByHop(req.rawHeaders, REQUEST_ONLY, ['Host', hostOf(req.headers.host)]),
      agent,
    });
    forwarded.setNoDelay(true);
    let answered = false;
    let clientGone = false;
    forwarded.on('response', (answer) => {
      answered = true;
      health.up();
      res.sendDate = false; // the upstream's Date passes through; a second one would be wrong
      const status = answer.statusCode ?? 502;
      res.writeHead(
        status,
        answer.statusMessage || STATUS_CODES[status] || '',
        withoutHopByHop(answer.rawHeaders),
      );
      // SSE: the client must see the headers now, not with the first event, which may be minutes away.
      if (answer.headers['content-type']?.startsWith('text/event-stream')) res.flushHeaders();
      answer.pipe(res);
      guard(() => exchange?.response(answer));
      answer.on('error', (err) => logger.debug({ err }, 'MCP proxy: upstream response broke off'));
      answer.on('close', () => {
        if (!answer.complete) res.destroy(); // the upstream broke off: so must we, so the client knows
      });
    });
    forwarded.on('error', (err) => {
      if (answered || clientGone) return void res.destroy();
      answered = true;
      health.down(err);
      req.unpipe(forwarded);
      req.resume(); // read the rest of the body: a 502 answers the request by its id
      void badGateway(res, exchange);
    });
    req.on('error', (err) => logger.debug({ err }, 'MCP proxy: client request broke off'));
    res.on('error', (err) => logger.debug({ err }, 'MCP proxy: cannot write to the client'));
    res.once('close', () => {
      clientGone = !res.writableFinished;
      if (clientGone) forwarded.destroy(); // the client went away: end the upstream stream too
      guard(() => exchange?.finish());
    });
    req.pipe(forwarded);
  };

  const server = createServer(relay);
  try {
    await listen(server, host, options.listen.port, logger);
  } catch (err) {
    sessions.closeAll();
    agent.destroy();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  logger.info({ listen: `${host}:${port}`, upstream: upstream.href }, 'MCP proxy listening');
  const url = new URL(
    upstream.pathname + upstream.search,
    `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
  );

  return {
    address: { host, port },
    url,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      sessions.closeAll();
      agent.destroy();
      await closed;
    },
  };
}

/** Methods whose traffic is MCP: POST carries messages, GET opens a stream, DELETE ends a session. */
const OBSERVED = new Set(['POST', 'GET', 'DELETE']);

/** Where a request goes: the upstream URL for the MCP endpoint, the same path on its origin otherwise. */
function routeOf(upstream: URL, path: string | undefined): { url: URL; mcp: boolean } | undefined {
  let asked: URL;
  try {
    asked = new URL(path ?? '/', 'http://proxy');
  } catch {
    return undefined;
  }
  const mcp = asked.pathname === '/' || asked.pathname === upstream.pathname;
  const url = new URL(upstream.href);
  if (!mcp) url.pathname = asked.pathname;
  if (asked.search)
    url.search = mcp && upstream.search ? `${upstream.search}&${asked.search.slice(1)}` : asked.search;
  else if (!mcp) url.search = '';
  return { url, mcp };
}

/**
 * The Host to send upstream: the upstream's own, so it answers as if reached directly. Except on a
 * loopback listener for a Host that is not a loopback name, the mark of DNS rebinding (a web page
 * whose name resolves to 127.0.0.1): that Host passes unchanged, so an upstream that refuses such
 * requests (the MCP SDK does for local servers) still sees it and refuses, as it would directly.
 */
function upstreamHost(upstream: URL, loopbackListener: boolean): (asked: string | undefined) => string {
  return (asked) => {
    if (!loopbackListener || !asked) return upstream.host;
    let hostname: string;
    try {
      hostname = new URL(`http://${asked}`).hostname;
    } catch {
      return asked;
    }
    return isLoopback(hostname) ? upstream.host : asked;
  };
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/** Headers that describe one connection, not the message (RFC 9110 7.6.1), so a proxy does not pass them. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
/** The proxy has answered these itself (100-continue), and sets the upstream's Host. */
const REQUEST_ONLY = new Set(['host', 'expect']);

function withoutHopByHop(raw: string[], drop?: Set<string>, add?: [string, string]): string[] {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() !== 'connection') continue;
    for (const name of raw[i + 1]?.split(',') ?? []) named.add(name.trim().toLowerCase());
  }
  const kept: string[] = add ? [...add] : [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (HOP_BY_HOP.has(name) || name.startsWith('proxy-') || named.has(name) || drop?.has(name)) continue;
    kept.push(raw[i] as string, raw[i + 1] as string);
  }
  return kept;
}

async function badGateway(res: ServerResponse, exchange: McpExchange | undefined): Promise<void> {
  await exchange?.requestRead;
  const id = exchange?.requestId;
  const body = {
    jsonrpc: '2.0',
    id: id ?? null,
    error: { code: -32000, message: 'Bad gateway: the MCP server behind this proxy is unreachable' },
  };
  const text = JSON.stringify(body);
  if (res.destroyed) return;
  res
    .writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    .end(text);
  if (id !== undefined) exchange?.answered(body, Buffer.byteLength(text));
}

/** Logs when the upstream goes down and when it is back, not once per failed request. */
function upstreamHealth(upstream: URL, logger: Logger) {
  let isDown = false;
  return {
    down(err: Error & { code?: string }) {
      if (isDown) return void logger.debug({ err }, 'MCP upstream still unreachable');
      isDown = true;
      logger.warn(
        { upstream: upstream.href, code: err.code, error: err.message },
        'MCP upstream unreachable: answering 502 until it is back',
      );
    },
    up() {
      if (!isDown) return;
      isDown = false;
      logger.info({ upstream: upstream.href }, 'MCP upstream reachable again');
    },
  };
}

function listen(server: Server, host: string, port: number, logger: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: Error & { code?: string }) =>
      reject(
        new TributaryError(
          'TRB_PROXY_LISTEN_FAILED',
          `cannot listen on ${host}:${port}: ${err.code ?? err.message}`,
          {},
          err.code === 'EADDRINUSE'
            ? 'choose a free port with --listen HOST:PORT'
            : 'check the --listen address',
        ),
      ),
    );
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      server.on('error', (err) => logger.warn({ err }, 'MCP proxy server error'));
      resolve();
    });
  });
}
