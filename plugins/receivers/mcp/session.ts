import { type Attributes, type Context, context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { isTracingSuppressed, W3CTraceContextPropagator } from '@opentelemetry/core';
import { captureValue } from './capture.js';
import { type ObservedSession, RequestSpan } from './request-span.js';
import type { RequestRecorder } from './requests.js';
import { ATTR, requestTarget } from './semconv.js';
import type { McpSession, McpSessionOptions, MessageInfo } from './types.js';

type Json = Record<string, unknown>;
type Id = string | number;

const propagator = new W3CTraceContextPropagator();
const metaGetter = {
  keys: (carrier: Json) => Object.keys(carrier),
  get: (carrier: Json, key: string) =>
    typeof carrier[key] === 'string' ? (carrier[key] as string) : undefined,
};
const metaSetter = {
  set: (carrier: Json, key: string, value: string) => {
    carrier[key] = value;
  },
};

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isJsonRpc = (v: unknown): v is Json => isObject(v) && v.jsonrpc === '2.0';
const now = () => performance.now();

/**
 * The hooks of one MCP connection. On the request's path it only notes what it learns (a RequestSpan
 * a request) and, when handler code uses the OpenTelemetry context, runs the handler in the request's.
 * Spans, metrics and log records are made from those notes after the response left, in the
 * telemetry's per-turn record.
 */
export class McpSessionObserver implements McpSession, ObservedSession {
  /** Requests in flight by id, one map per direction: each side numbers its own requests from 0. */
  private readonly served = new Map<Id, RequestSpan>();
  private readonly sent = new Map<Id, RequestSpan>();
  private readonly byProgressToken = new Map<unknown, RequestSpan>();
  private readonly opened = now();
  private protocolVersion?: string;
  private closed = false;
  /** network.transport, mcp.protocol.version, mcp.session.id: rebuilt only when one of them changes. */
  private shared: Attributes = {};
  /** Bumped whenever `shared` is rebuilt. */
  private sharedKey = 0;
  private sharedSession?: string;
  private sharedVersion?: string;

  constructor(
    private readonly telemetry: RequestRecorder,
    readonly options: McpSessionOptions,
  ) {
    if (options.side === 'server') telemetry.instruments.activeConnections.add(1);
  }

  incoming(message: unknown, info?: MessageInfo): Context | undefined {
    try {
      if (!Array.isArray(message)) return this.receive(message, info);
      for (const m of message) this.receive(m, info);
    } catch (err) {
      this.telemetry.hookError(err);
    }
    return undefined;
  }

  outgoing(message: unknown, info?: MessageInfo): unknown {
    try {
      return Array.isArray(message) ? message.map((m) => this.send(m, undefined)) : this.send(message, info);
    } catch (err) {
      this.telemetry.hookError(err);
      return message;
    }
  }

  unparsed(_bytes: number): void {
    try {
      this.telemetry.instruments.unparsed.add(1, this.metricAttributes());
    } catch (err) {
      this.telemetry.hookError(err);
    }
  }

  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    try {
      for (const p of [...this.served.values(), ...this.sent.values()])
        this.finish(p, 'connection_closed', 'the connection closed before a response');
      const { instruments } = this.telemetry;
      const attributes = this.metricAttributes();
      if (error) attributes[ATTR.errorType] = error.name;
      const server = this.options.side === 'server';
      (server ? instruments.serverSessionDuration : instruments.clientSessionDuration).record(
        (now() - this.opened) / 1000,
        attributes,
      );
      if (server) instruments.activeConnections.add(-1);
    } catch (err) {
      this.telemetry.hookError(err);
    }
  }

  /** Metric attributes: never the session id, which would make a series per session. */
  private metricAttributes(): Attributes {
    const attributes: Attributes = {};
    if (this.options.transport) attributes[ATTR.networkTransport] = this.options.transport;
    if (this.protocolVersion) attributes[ATTR.protocolVersion] = this.protocolVersion;
    return attributes;
  }

  /** Attributes every span of this session carries. */
  attributes(): Attributes {
    const sessionId = this.options.sessionId?.();
    if (
      sessionId !== this.sharedSession ||
      this.protocolVersion !== this.sharedVersion ||
      this.sharedKey === 0
    ) {
      this.sharedSession = sessionId;
      this.sharedVersion = this.protocolVersion;
      this.sharedKey++;
      this.shared = {};
      if (this.options.transport) this.shared[ATTR.networkTransport] = this.options.transport;
      if (this.protocolVersion) this.shared[ATTR.protocolVersion] = this.protocolVersion;
      if (sessionId) this.shared[ATTR.sessionId] = sessionId;
    }
    return this.shared;
  }

  private receive(m: unknown, info: MessageInfo | undefined): Context | undefined {
    if (!isJsonRpc(m)) return undefined;
    if (typeof m.method !== 'string') {
      this.response(m, false, info);
      return undefined;
    }
    if (m.id === undefined || m.id === null) {
      this.notification(m, true);
      return undefined;
    }
    const request = this.startRequest(m, true, info);
    return this.options.handlerContext?.propagating
      ? trace.setSpan(request.parentContext ?? ROOT_CONTEXT, request)
      : undefined;
  }

  private send(m: unknown, info: MessageInfo | undefined): unknown {
    if (!isJsonRpc(m)) return m;
    if (typeof m.method !== 'string') {
      this.response(m, true, info);
      return m;
    }
    if (m.id === undefined || m.id === null) {
      this.notification(m, false);
      return m;
    }
    const request = this.startRequest(m, false, info);
    // Only a client carries its trace context to the server; a server's messages are passed on as they are.
    return this.options.side === 'client' ? withTraceContext(m, request) : m;
  }

  private startRequest(m: Json, incoming: boolean, info: MessageInfo | undefined): RequestSpan {
    const method = m.method as string;
    const id = m.id as Id;
    const params = isObject(m.params) ? m.params : undefined;
    const meta = params && isObject(params._meta) ? params._meta : undefined;
    if (method === 'initialize' && typeof params?.protocolVersion === 'string')
      this.protocolVersion ??= params.protocolVersion;

    const request = new RequestSpan(this, id, method, incoming, now());
    const target = requestTarget(method, params);
    request.target = target;
    request.params = params;
    request.shared = this.attributes();
    request.sharedKey = this.sharedKey;
    request.sessionId = this.options.sessionId?.();
    request.progressToken = meta?.progressToken;
    if (incoming) {
      const peer = info?.clientAddress ?? this.options.clientAddress;
      request.clientAddress = this.telemetry.trustedProxies.clientAddress(peer, info?.forwardedFor);
    }
    const { capture } = this.telemetry.config;
    if (capture.arguments && target && method === 'tools/call')
      request.capturedArguments = captureValue(
        params?.arguments ?? {},
        capture.redact_keys,
        capture.max_length,
      );

    // The ambient context is read only when something in the process uses it (see context.ts).
    const parent =
      incoming && meta?.traceparent
        ? propagator.extract(ROOT_CONTEXT, meta, metaGetter)
        : this.options.handlerContext?.propagating
          ? context.active()
          : undefined;
    if (parent) childOf(request, parent);

    (incoming ? this.served : this.sent).set(id, request);
    if (request.progressToken !== undefined) this.byProgressToken.set(request.progressToken, request);
    if (incoming && this.options.side === 'server') this.telemetry.started(request);
    return request;
  }

  private response(m: Json, outgoing: boolean, info: MessageInfo | undefined): void {
    // A response travels the opposite way to its request.
    const pending = (outgoing ? this.served : this.sent).get(m.id as Id);
    if (!pending) return;
    const result = isObject(m.result) ? m.result : undefined;
    if (pending.method === 'initialize' && typeof result?.protocolVersion === 'string')
      this.protocolVersion = result.protocolVersion;
    const error = isObject(m.error) ? m.error : undefined;
    if (error)
      this.finish(pending, String(error.code ?? 'error'), String(error.message ?? ''), m, info?.size);
    else if (result?.isError === true && pending.method === 'tools/call')
      this.finish(pending, 'tool_error', firstText(result), m, info?.size);
    else this.finish(pending, undefined, undefined, m, info?.size);
  }

  private notification(m: Json, incoming: boolean): void {
    const params = isObject(m.params) ? m.params : undefined;
    if (!params) return;
    if (m.method === 'notifications/cancelled') {
      // The one who sent a request cancels it: the notification travels the way the request did.
      const pending = (incoming ? this.served : this.sent).get(params.requestId as Id);
      if (pending) this.finish(pending, 'cancelled', String(params.reason ?? 'cancelled'));
    } else if (m.method === 'notifications/progress') {
      this.byProgressToken.get(params.progressToken)?.addEvent('progress', {
        ...(typeof params.progress === 'number' ? { 'mcp.progress': params.progress } : {}),
        ...(typeof params.total === 'number' ? { 'mcp.progress.total': params.total } : {}),
      });
    }
  }

  /** The response left (or arrived): the span, metrics and records follow in the telemetry's record. */
  private finish(
    p: RequestSpan,
    error: string | undefined,
    message: string | undefined,
    response?: Json,
    size?: number,
  ): void {
    p.ended = now();
    (p.incoming ? this.served : this.sent).delete(p.id);
    if (p.progressToken !== undefined) this.byProgressToken.delete(p.progressToken);
    p.error = error;
    p.message = message;
    p.response = response;
    p.size = size;
    const { capture } = this.telemetry.config;
    if (capture.results && p.incoming && p.target && response?.result)
      p.capturedResult = captureValue(response.result, capture.redact_keys, capture.max_length);
    // Learned during the request: the version from the initialize response, an HTTP session's id.
    const shared = this.attributes();
    if (p.sharedKey !== this.sharedKey) p.sharedAtEnd = shared;
    this.telemetry.finished(p);
  }
}

/** The parent the SDK's default sampler (parent-based, always on) would give the request's span. */
function childOf(request: RequestSpan, parent: Context): void {
  request.parentContext = parent;
  if (isTracingSuppressed(parent)) {
    request.suppressed = true;
    request.sampled = false;
    return;
  }
  const spanContext = trace.getSpanContext(parent);
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return;
  request.parent = spanContext;
  request.sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}

/** A copy of an outgoing request with the span's trace context in `params._meta`. */
function withTraceContext(m: Json, request: RequestSpan): Json {
  const params = isObject(m.params) ? m.params : {};
  const meta: Json = isObject(params._meta) ? { ...params._meta } : {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, request), meta, metaSetter);
  return { ...m, params: { ...params, _meta: meta } };
}

function firstText(result: Json): string {
  const content = Array.isArray(result.content) ? result.content : [];
  const text = content.find((c): c is Json => isObject(c) && c.type === 'text' && typeof c.text === 'string');
  return text ? String(text.text).slice(0, 1024) : 'the tool reported an error';
}
