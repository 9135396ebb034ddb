import { type Attributes, type Context, context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import {
  CompositePropagator,
  isTracingSuppressed,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { captureValue } from './capture.js';
import {
  callerOf,
  interimKey,
  isStateless,
  retryKey,
  statedVersion,
  subscriptionOf,
} from './protocol-2026.js';
import { type ObservedSession, RequestSpan } from './request-span.js';
import type { RequestRecorder } from './requests.js';
import { ATTR, isFailure, requestResource, requestTarget } from './semconv.js';
import type { McpSession, McpSessionOptions, MessageInfo } from './types.js';

type Json = Record<string, unknown>;
type Id = string | number;

/** The trace context and baggage travel in `params._meta` as `traceparent`, `tracestate` and `baggage`. */
const propagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});
/** A long-lived request whose normal end is the client closing or cancelling it, not a response. */
const STREAM = 'subscriptions/listen';
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
 * telemetry's record.
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
      for (const p of [...this.served.values(), ...this.sent.values()]) {
        if (p.method === STREAM) this.finish(p);
        else this.finish(p, 'connection_closed', undefined, 'the connection closed before a response');
      }
      const { instruments } = this.telemetry;
      const server = this.options.side === 'server';
      // An HTTP exchange of 2026-07-28 traffic was no session: that revision has none.
      if (!(this.options.exchange && isStateless(this.protocolVersion))) {
        const attributes = this.sessionAttributes();
        if (error) attributes[ATTR.errorType] = error.name;
        (server ? instruments.serverSessionDuration : instruments.clientSessionDuration).record(
          (now() - this.opened) / 1000,
          attributes,
        );
      }
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

  /** What the session duration histograms are broken down by, as the conventions list it. */
  private sessionAttributes(): Attributes {
    const { options } = this;
    const attributes: Attributes = {};
    if (this.protocolVersion) attributes[ATTR.protocolVersion] = this.protocolVersion;
    if (options.networkProtocol) attributes[ATTR.networkProtocol] = options.networkProtocol;
    if (options.side === 'client' && options.serverAddress) {
      attributes[ATTR.serverAddress] = options.serverAddress;
      if (options.serverPort) attributes[ATTR.serverPort] = options.serverPort;
    }
    return attributes;
  }

  /** The session id, except for 2026-07-28 traffic: that revision has no sessions. */
  private sessionId(): string | undefined {
    return isStateless(this.protocolVersion) ? undefined : this.options.sessionId?.();
  }

  /** Attributes every span of this session carries. */
  attributes(): Attributes {
    const sessionId = this.sessionId();
    if (
      sessionId !== this.sharedSession ||
      this.protocolVersion !== this.sharedVersion ||
      this.sharedKey === 0
    ) {
      this.sharedSession = sessionId;
      this.sharedVersion = this.protocolVersion;
      this.sharedKey++;
      this.shared = {};
      const { options } = this;
      if (options.transport) this.shared[ATTR.networkTransport] = options.transport;
      if (options.networkProtocol) this.shared[ATTR.networkProtocol] = options.networkProtocol;
      if (this.protocolVersion) this.shared[ATTR.protocolVersion] = this.protocolVersion;
      if (sessionId) this.shared[ATTR.sessionId] = sessionId;
    }
    return this.shared;
  }

  private receive(m: unknown, info: MessageInfo | undefined): Context | undefined {
    if (!isJsonRpc(m)) return undefined;
    // What the HTTP request said, where no initialize was seen (a stateless exchange, a notification).
    if (info?.protocolVersion) this.protocolVersion ??= info.protocolVersion;
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
    // 2026-07-28 and later: no initialize; every request states its version.
    const stated = statedVersion(meta);
    if (stated) this.protocolVersion = stated;

    const request = new RequestSpan(this, id, method, incoming, info?.receivedAt ?? now());
    const target = requestTarget(method, params);
    request.target = target;
    request.resourceUri = requestResource(method, params);
    request.shared = this.attributes();
    request.sharedKey = this.sharedKey;
    request.sessionId = this.sharedSession;
    request.progressToken = meta?.progressToken;
    request.version = stated;
    const clientAddress = incoming ? this.peerAttributes(info, request) : undefined;
    if (!incoming) this.serverAttributes(request);
    this.capture(method, target, params, request);

    // The ambient context is read only when something in the process uses it (see context.ts).
    const ambient = this.options.handlerContext?.propagating ? context.active() : undefined;
    if (incoming && (meta?.traceparent || meta?.baggage)) {
      // The sender's context is the parent; the transport's (an HTTP request's span) is linked.
      const transport = ambient && trace.getSpanContext(ambient);
      if (transport && trace.isSpanContextValid(transport)) request.addLink({ context: transport });
      childOf(request, propagator.extract(ROOT_CONTEXT, meta, metaGetter));
    } else if (ambient) childOf(request, ambient);

    if (stated) {
      request.operation = `${this.options.side}\u0000${callerOf(meta, clientAddress)}\u0000${method}\u0000${target ?? ''}`;
      const retry = retryKey(request.operation, params);
      const previous = retry ? this.telemetry.rounds.resume(retry) : undefined;
      if (previous) {
        request.addLink({ context: previous.span });
        // A retry continues its operation: one duration from the first round to the result.
        request.operationStarted = previous.started;
        request.round = previous.rounds + 1;
        request.startRecorded = true;
      }
    }
    (incoming ? this.served : this.sent).set(id, request);
    if (request.progressToken !== undefined) this.byProgressToken.set(request.progressToken, request);
    if (incoming && this.options.side === 'server' && !request.startRecorded) this.telemetry.started(request);
    return request;
  }

  /** client.address and client.port of an incoming request; returns the address. */
  private peerAttributes(info: MessageInfo | undefined, request: RequestSpan): string | undefined {
    const peer = info?.clientAddress ?? this.options.clientAddress;
    const address = this.telemetry.trustedProxies.clientAddress(peer, info?.forwardedFor);
    if (!address) return undefined;
    const known = request.learnedAttributes();
    known[ATTR.clientAddress] = address;
    // The port is the socket's: unknown when the address came from X-Forwarded-For.
    const port = info?.clientAddress !== undefined ? info.clientPort : this.options.clientPort;
    if (address === peer && port) known[ATTR.clientPort] = port;
    return address;
  }

  /** server.address and server.port of an outgoing request, when the transport told them. */
  private serverAttributes(request: RequestSpan): void {
    const { serverAddress, serverPort } = this.options;
    if (!serverAddress) return;
    const known = request.learnedAttributes();
    known[ATTR.serverAddress] = serverAddress;
    if (serverPort) known[ATTR.serverPort] = serverPort;
  }

  /** The opt-in attributes: tool arguments, and prompt arguments as `gen_ai.prompt.variable.<name>`. */
  private capture(
    method: string,
    target: string | undefined,
    params: Json | undefined,
    request: RequestSpan,
  ): void {
    const { capture } = this.telemetry.config;
    if (!capture.arguments || !target) return;
    const attributes = request.learnedAttributes();
    if (method === 'tools/call') {
      attributes[ATTR.toolArguments] = captureValue(
        params?.arguments ?? {},
        capture.redact_keys,
        capture.max_length,
      );
    } else if (method === 'prompts/get' && isObject(params?.arguments)) {
      for (const [name, value] of Object.entries(params.arguments)) {
        const secret = capture.redact_keys.some((k) => name.toLowerCase().includes(k.toLowerCase()));
        attributes[`${ATTR.promptVariable}${name}`] = secret
          ? '[REDACTED]'
          : typeof value === 'string'
            ? value.slice(0, capture.max_length)
            : captureValue(value, capture.redact_keys, capture.max_length);
      }
    }
  }

  private response(m: Json, outgoing: boolean, info: MessageInfo | undefined): void {
    // A response travels the opposite way to its request.
    const pending = (outgoing ? this.served : this.sent).get(m.id as Id);
    if (!pending) return;
    const result = isObject(m.result) ? m.result : undefined;
    if (pending.method === 'initialize' && typeof result?.protocolVersion === 'string')
      this.protocolVersion = result.protocolVersion;
    const error = isObject(m.error) ? m.error : undefined;
    const interim = result && pending.operation ? interimKey(pending.operation, result) : undefined;
    if (error) {
      const code = String(error.code ?? 'error');
      // The server that answers a request it could not serve did not fail; its caller did.
      const failed = isFailure(code, pending.incoming) ? code : undefined;
      this.finish(pending, failed, code, String(error.message ?? ''), m, info?.size);
    } else if (interim) {
      this.interim(pending, interim);
    } else if (result?.isError === true && pending.method === 'tools/call') {
      this.finish(pending, 'tool_error', undefined, firstText(result), m, info?.size);
    } else {
      this.finish(pending, undefined, undefined, undefined, m, info?.size);
    }
  }

  private notification(m: Json, incoming: boolean): void {
    const params = isObject(m.params) ? m.params : undefined;
    if (!params) return;
    if (m.method === 'notifications/cancelled') {
      // The one who sent a request cancels it: the notification travels the way the request did.
      const pending = (incoming ? this.served : this.sent).get(params.requestId as Id);
      if (pending?.method === STREAM) this.finish(pending);
      else if (pending) this.finish(pending, 'cancelled', undefined, String(params.reason ?? 'cancelled'));
    } else if (subscriptionOf(params) !== undefined) {
      // A `subscriptions/listen` stream's notification travels against the request that opened it.
      (incoming ? this.sent : this.served).get(subscriptionOf(params) as Id)?.addEvent(m.method as string);
    } else if (m.method === 'notifications/progress') {
      this.byProgressToken.get(params.progressToken)?.addEvent('progress', {
        ...(typeof params.progress === 'number' ? { 'mcp.progress': params.progress } : {}),
        ...(typeof params.total === 'number' ? { 'mcp.progress.total': params.total } : {}),
      });
    }
  }

  /**
   * A round answered `input_required`: its span ends, and the operation waits for the retry that
   * continues it (linked to this span); metrics and logs count the operation once, when it completes.
   */
  private interim(p: RequestSpan, key: string): void {
    this.telemetry.rounds.wait(key, {
      span: p.spanContext(),
      started: p.operationStarted,
      rounds: p.round ?? 1,
    });
    p.addEvent('input_required');
    p.interim = true;
    this.finish(p);
  }

  /** The response left (or arrived): the span, metrics and records follow in the telemetry's record. */
  private finish(
    p: RequestSpan,
    error?: string,
    statusCode?: string,
    message?: string,
    response?: Json,
    size?: number,
  ): void {
    p.ended = now();
    (p.incoming ? this.served : this.sent).delete(p.id);
    if (p.progressToken !== undefined) this.byProgressToken.delete(p.progressToken);
    p.error = error;
    p.statusCode = statusCode;
    p.message = message;
    p.response = response;
    p.size = size;
    const { capture } = this.telemetry.config;
    if (capture.results && p.incoming && p.target && response?.result)
      p.capturedResult = captureValue(response.result, capture.redact_keys, capture.max_length);
    // Learned during the request: the version from the initialize response, an HTTP session's id.
    // A stated version is the request's own, whatever later requests state.
    const shared = this.attributes();
    if (p.sharedKey !== this.sharedKey && !p.version) p.sharedAtEnd = shared;
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

/** A copy of an outgoing request with the span's trace context (and the caller's baggage) in `params._meta`. */
function withTraceContext(m: Json, request: RequestSpan): Json {
  const params = isObject(m.params) ? m.params : {};
  const meta: Json = isObject(params._meta) ? { ...params._meta } : {};
  propagator.inject(trace.setSpan(request.parentContext ?? ROOT_CONTEXT, request), meta, metaSetter);
  return { ...m, params: { ...params, _meta: meta } };
}

function firstText(result: Json): string {
  const content = Array.isArray(result.content) ? result.content : [];
  const text = content.find((c): c is Json => isObject(c) && c.type === 'text' && typeof c.text === 'string');
  return text ? String(text.text).slice(0, 1024) : 'the tool reported an error';
}
