import type { Context } from '@opentelemetry/api';

/** Which end of the connection the hooks sit on. Incoming requests become SERVER spans, outgoing ones CLIENT spans. */
export type McpSide = 'server' | 'client';

/** `network.transport` as the semantic conventions spell it: stdio is `pipe`, HTTP is `tcp`; in-memory has none. */
export type McpNetworkTransport = 'pipe' | 'tcp' | undefined;

export interface McpSessionOptions {
  side: McpSide;
  transport: McpNetworkTransport;
  /** Read when a span starts or ends: HTTP transports learn their session id during initialize. */
  sessionId?: () => string | undefined;
  /** The peer's address and port, when known (HTTP): the socket's. */
  clientAddress?: string;
  clientPort?: number;
  /** A client's server, when known (HTTP): `server.address` and `server.port` of its spans. */
  serverAddress?: string;
  serverPort?: number;
  /** `network.protocol.name`: `http` over Streamable HTTP. */
  networkProtocol?: 'http';
  /**
   * HTTP exchanges standing in for a session (the proxy: a request without a session id; the hooks: a
   * server's HTTP transport). With 2026-07-28 traffic, which has no sessions, no session duration is
   * recorded.
   */
  exchange?: boolean;
  /**
   * Whether request handlers run in this process and must run in the request's OpenTelemetry context
   * (in-process hooks); read per request. Absent (the proxies): the ambient context is never read.
   */
  handlerContext?: HandlerContext;
}

/** Whether the hooks must run a request's handler in the request's context (see context.ts). */
export interface HandlerContext {
  readonly propagating: boolean;
}

/** Facts about one message that the hooks cannot see in the parsed object. */
export interface MessageInfo {
  /** Its size on the wire in bytes, when the caller knows it (the proxies do). */
  size?: number;
  /** The peer's address and port for this message (HTTP: the socket's). */
  clientAddress?: string;
  clientPort?: number;
  /** performance.now() when the message began to arrive (the HTTP proxy: its headers), if before now. */
  receivedAt?: number;
  /** The `X-Forwarded-For` header it came with (HTTP): believed only from a trusted proxy. */
  forwardedFor?: string;
  /**
   * The `MCP-Protocol-Version` header it came with (HTTP; clients send it on every request after
   * `initialize` since 2025-06-18): the version of a session that saw no `initialize`, as a stateless
   * server's, where each request is an exchange of its own.
   */
  protocolVersion?: string;
}

/**
 * The hooks of one MCP connection (one stdio process, one HTTP session, one in-memory pair). Every
 * method is safe to call with anything: a message that is not JSON-RPC is ignored, and no method
 * throws (a bug in the hooks is logged and counted, never passed to the protocol).
 */
export interface McpSession {
  /** A JSON-RPC message or batch this side received. For a request, the context to run its handler in. */
  incoming(message: unknown, info?: MessageInfo): Context | undefined;
  /**
   * A JSON-RPC message or batch this side sends. Returns the message to send: for an outgoing request
   * a copy with the trace context in `params._meta.traceparent`, otherwise the same object.
   */
  outgoing(message: unknown, info?: MessageInfo): unknown;
  /** Bytes that passed through and were not JSON-RPC (counted, not parsed). */
  unparsed(bytes: number): void;
  /** The connection ended: open requests end as errors, the session's duration is recorded. */
  close(error?: Error): void;
}

/** What the `mcp` receiver shares per component id (reach it with `engine.sharedOf('mcp')`). */
export interface McpHooks {
  session(options: McpSessionOptions): McpSession;
}
