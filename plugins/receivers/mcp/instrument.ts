import { context, trace } from '@opentelemetry/api';
import type { Engine } from '../../../core/engine.js';
import { TributaryError } from '../../../core/errors.js';
import { handlerContext } from './context.js';
import type { McpTelemetry } from './telemetry.js';
import type { HandlerContext, McpNetworkTransport, McpSession, McpSide, MessageInfo } from './types.js';

export interface InstrumentOptions {
  /** The id of the `mcp` receiver in the engine's config. Default `mcp`. */
  receiver?: string;
  /**
   * When no global OpenTelemetry context manager or tracer provider is set, set ours, so spans your own
   * code starts in a handler (through `@opentelemetry/api`) become children of the request's span and
   * flow through the engine. Default true. The context manager carries contexts only from the first
   * time something reads the active context (see the receiver's README).
   */
  registerGlobal?: boolean;
  /** Overrides the `network.transport` attribute guessed from the transport's class. */
  networkTransport?: McpNetworkTransport;
}

type Handler = (this: unknown, ...args: unknown[]) => unknown;
/** The transport shape shared by the MCP SDK 1.x and 2.x (server and client). */
interface TransportLike {
  send(message: unknown, options?: unknown): Promise<void>;
  start(): Promise<void>;
  onmessage?: Handler;
  onclose?: Handler;
  sessionId?: string;
  handleRequest?: Handler;
}
/** McpServer, Server and Client of either SDK line. */
interface ConnectableLike {
  connect(transport: TransportLike, ...rest: unknown[]): Promise<void>;
  transport?: TransportLike;
  server?: ConnectableLike;
}

const HOOKED = Symbol.for('tributary.mcp.hooked');

/**
 * Observes every JSON-RPC message an MCP server handles: pass an McpServer or Server (1.x or 2.x),
 * before or after connect(), or a transport. Spans, metrics and logs go to the engine's `mcp`
 * receiver. The server's behaviour is unchanged: hooks never throw into the protocol.
 */
export function instrumentMcpServer<T extends object>(
  target: T,
  engine: Engine,
  options: InstrumentOptions = {},
): T {
  return instrument('server', target, engine, options);
}

/** The same for an MCP Client or client transport: CLIENT spans, and trace context sent in `params._meta`. */
export function instrumentMcpClient<T extends object>(
  target: T,
  engine: Engine,
  options: InstrumentOptions = {},
): T {
  return instrument('client', target, engine, options);
}

/** Whether the global tracer provider was set, or found set by another OpenTelemetry setup. */
let globalTracerTried = false;

function instrument<T extends object>(
  side: McpSide,
  target: T,
  engine: Engine,
  options: InstrumentOptions,
): T {
  const id = options.receiver ?? 'mcp';
  const telemetry = engine.sharedOf<McpTelemetry>(id);
  if (!telemetry?.tracerProvider) {
    throw new TributaryError(
      'TRB_MCP_NO_RECEIVER',
      `the engine has no running receiver "${id}"`,
      { path: `receivers.${id}` },
      `add "${id}" under receivers: and to a pipeline, and await engine.start() before instrumenting`,
    );
  }
  const registerGlobal = options.registerGlobal !== false;
  if (registerGlobal && !globalTracerTried) {
    // Once per process: a second try, even with the same provider, makes the API log an error.
    globalTracerTried = true;
    trace.setGlobalTracerProvider(telemetry.tracerProvider);
  }
  const handlers = handlerContext(registerGlobal);
  const hook = (transport: TransportLike) =>
    hookTransport(side, transport, telemetry, handlers, options.networkTransport);
  if (isTransport(target)) {
    hook(target);
    return target;
  }
  if (!isConnectable(target)) {
    throw new TributaryError(
      'TRB_MCP_UNSUPPORTED',
      `cannot instrument ${target.constructor?.name ?? typeof target}`,
      {},
      'pass an McpServer, Server, Client or an MCP transport from @modelcontextprotocol/sdk (1.x) or @modelcontextprotocol/server / client (2.x)',
    );
  }
  const connected = target.transport ?? target.server?.transport;
  if (connected) hook(connected);
  const connect = target.connect.bind(target);
  target.connect = (transport: TransportLike, ...rest: unknown[]) => connect(hook(transport), ...rest);
  return target;
}

function hookTransport(
  side: McpSide,
  transport: TransportLike,
  telemetry: McpTelemetry,
  handlerContext: HandlerContext,
  network?: McpNetworkTransport,
): TransportLike {
  const marked = transport as TransportLike & { [HOOKED]?: boolean };
  if (marked[HOOKED]) return transport;
  marked[HOOKED] = true;
  /** What the hooks know of the message being handled; the session reads it synchronously. */
  const info: MessageInfo = {};
  const server = side === 'client' ? serverOf(transport) : undefined;
  const session = telemetry.session({
    side,
    transport: network ?? guessNetworkTransport(transport),
    sessionId: () => transport.sessionId,
    handlerContext,
    // A server's HTTP transport serving 2026-07-28 (the SDK's per-request one) is an exchange: no session.
    ...(isHttp(transport) ? { networkProtocol: 'http' as const, exchange: side === 'server' } : {}),
    ...(server ? { serverAddress: server.hostname.replace(/^\[|\]$/g, ''), serverPort: portOf(server) } : {}),
  });

  const send = transport.send.bind(transport);
  transport.send = (message, options) => send(session.outgoing(message), options);

  // A handler set before or after this point is wrapped; nested wrappers (a Protocol that chains the
  // previous handler) observe the message once.
  let depth = 0;
  const observe = (handler: Handler): Handler =>
    function (this: unknown, message: unknown, extra: unknown) {
      if (depth > 0) return handler.call(this, message, extra);
      depth++;
      try {
        info.forwardedFor = requestHeader(extra, 'x-forwarded-for');
        info.protocolVersion = requestHeader(extra, 'mcp-protocol-version');
        const ctx = session.incoming(message, info);
        return ctx ? context.with(ctx, handler, this, message, extra) : handler.call(this, message, extra);
      } finally {
        depth--;
      }
    };
  const closing = (handler: Handler): Handler =>
    function (this: unknown, ...args: unknown[]) {
      session.close();
      return handler.apply(this, args);
    };
  wrapProperty(transport, 'onmessage', observe);
  wrapProperty(transport, 'onclose', closing, () => session.close());

  if (typeof transport.handleRequest === 'function') {
    const handleRequest = transport.handleRequest.bind(transport);
    transport.handleRequest = (req: unknown, ...rest: unknown[]) => {
      const socket = (req as { socket?: { remoteAddress?: string; remotePort?: number } })?.socket;
      info.clientAddress = socket?.remoteAddress ?? info.clientAddress;
      info.clientPort = socket?.remotePort ?? info.clientPort;
      return handleRequest(req, ...rest);
    };
  }
  return transport;
}

/**
 * Replaces a callback property with an accessor whose getter returns the stored handler, wrapped. When
 * the transport itself implements the property as an accessor (a wrapper that forwards to an inner
 * transport), the wrapped handler is passed through to it as well.
 */
function wrapProperty(
  target: TransportLike,
  key: 'onmessage' | 'onclose',
  wrap: (h: Handler) => Handler,
  whenUnset?: Handler,
): void {
  const inherited = accessorOf(target, key);
  let wrapped = target[key] && wrap(target[key]);
  const forward = () => inherited?.set?.call(target, wrapped ?? whenUnset);
  Object.defineProperty(target, key, {
    configurable: true,
    enumerable: true,
    get: () => wrapped ?? whenUnset,
    set: (next: Handler | undefined) => {
      wrapped = next && wrap(next);
      forward();
    },
  });
  forward();
}

function accessorOf(target: object, key: string): PropertyDescriptor | undefined {
  for (let o: object | null = target; o; o = Object.getPrototypeOf(o)) {
    const descriptor = Object.getOwnPropertyDescriptor(o, key);
    if (descriptor) return descriptor.set ? descriptor : undefined;
  }
  return undefined;
}

function guessNetworkTransport(transport: object): McpNetworkTransport {
  const name = transport.constructor?.name ?? '';
  if (/stdio/i.test(name)) return 'pipe';
  if (isHttp(transport)) return 'tcp';
  return undefined;
}

/** Streamable HTTP and the older HTTP+SSE transports, by their class names in both SDK lines. */
const isHttp = (transport: object) => /http|sse/i.test(transport.constructor?.name ?? '');

/** The URL an SDK client transport (Streamable HTTP, SSE) connects to: its `_url`, in both SDK lines. */
function serverOf(transport: object): URL | undefined {
  const url = (transport as { _url?: unknown })._url;
  return url instanceof URL ? url : undefined;
}

function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** What the transport passes a message's handler about its HTTP request: SDK 1.x and 2.x. */
interface MessageExtra {
  /** SDK 1.x: the request's headers, as node:http gives them. */
  requestInfo?: { headers?: Record<string, unknown> };
  /** SDK 2.x: the web-standard Request. */
  request?: { headers?: { get?: (name: string) => string | null } };
}

/**
 * A header of the HTTP request a message came with (`name` in lower case), e.g. X-Forwarded-For,
 * which the receiver believes only from `trusted_proxies`.
 */
function requestHeader(extra: unknown, name: string): string | undefined {
  if (!extra) return undefined; // in-memory and stdio transports pass none
  const { requestInfo, request } = extra as MessageExtra;
  const value = requestInfo?.headers?.[name] ?? request?.headers?.get?.(name);
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

function isTransport(v: object): v is TransportLike {
  return typeof (v as TransportLike).send === 'function' && typeof (v as TransportLike).start === 'function';
}

function isConnectable(v: object): v is ConnectableLike {
  return typeof (v as ConnectableLike).connect === 'function';
}

export type { McpSession };
