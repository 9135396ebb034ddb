import {
  type Attributes,
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { captureValue } from './capture.js';
import { ATTR, describeRequest } from './semconv.js';
import type { McpTelemetry } from './telemetry.js';
import type { McpSession, McpSessionOptions, MessageInfo } from './types.js';

type Json = Record<string, unknown>;
type Id = string | number;

interface Pending {
  span: Span;
  started: number;
  method: string;
  target?: string;
  /** Incoming requests are served here (SERVER spans); outgoing ones are sent from here (CLIENT spans). */
  incoming: boolean;
  progressToken?: unknown;
}

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

/** The hooks of one MCP connection: turns the JSON-RPC messages it sees into spans, metrics and logs. */
export class McpSessionObserver implements McpSession {
  private readonly pending = new Map<Id, Pending>();
  private readonly byProgressToken = new Map<unknown, Pending>();
  private readonly opened = now();
  private protocolVersion?: string;
  private closed = false;
  private readonly base: Attributes;

  constructor(
    private readonly telemetry: McpTelemetry,
    private readonly options: McpSessionOptions,
  ) {
    this.base = options.transport ? { [ATTR.networkTransport]: options.transport } : {};
    if (options.side === 'server') telemetry.instruments.activeConnections.add(1);
  }

  incoming(message: unknown, info?: MessageInfo): Context | undefined {
    try {
      if (Array.isArray(message)) {
        for (const m of message) this.receive(m, info);
        return undefined;
      }
      return this.receive(message, info);
    } catch (err) {
      this.telemetry.hookError(err);
      return undefined;
    }
  }

  outgoing(message: unknown, info?: MessageInfo): unknown {
    try {
      return Array.isArray(message)
        ? message.map((m) => this.send(m, info, message.length))
        : this.send(message, info, 1);
    } catch (err) {
      this.telemetry.hookError(err);
      return message;
    }
  }

  unparsed(_bytes: number): void {
    try {
      this.telemetry.instruments.unparsed.add(1, this.base);
    } catch (err) {
      this.telemetry.hookError(err);
    }
  }

  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    try {
      for (const [id, p] of this.pending)
        this.finish(id, p, {
          error: 'connection_closed',
          message: 'the connection closed before a response',
        });
      const attributes = {
        ...this.base,
        ...this.versionAttribute(),
        ...(error ? { [ATTR.errorType]: error.name } : {}),
      };
      const { instruments } = this.telemetry;
      const histogram =
        this.options.side === 'server'
          ? instruments.serverSessionDuration
          : instruments.clientSessionDuration;
      histogram.record((now() - this.opened) / 1000, attributes);
      if (this.options.side === 'server') instruments.activeConnections.add(-1);
    } catch (err) {
      this.telemetry.hookError(err);
    }
  }

  private receive(m: unknown, info: MessageInfo | undefined): Context | undefined {
    if (!isJsonRpc(m)) return undefined;
    if (typeof m.method === 'string') {
      if (m.id !== undefined && m.id !== null) return this.startRequest(m, true, info);
      this.notification(m, true);
      return undefined;
    }
    this.response(m, false, info);
    return undefined;
  }

  private send(m: unknown, info: MessageInfo | undefined, count: number): unknown {
    if (!isJsonRpc(m)) return m;
    if (typeof m.method === 'string') {
      if (m.id === undefined || m.id === null) {
        this.notification(m, false);
        return m;
      }
      const ctx = this.startRequest(m, false, info);
      // Only a client carries its trace context to the server; a server's messages are passed on as they are.
      return this.options.side === 'client' && ctx ? withTraceContext(m, ctx) : m;
    }
    this.response(m, true, info && count === 1 ? info : undefined);
    return m;
  }

  private startRequest(m: Json, incoming: boolean, info: MessageInfo | undefined): Context {
    const method = m.method as string;
    const id = m.id as Id;
    const params = isObject(m.params) ? m.params : undefined;
    const meta = isObject(params?._meta) ? params._meta : undefined;
    if (method === 'initialize' && typeof params?.protocolVersion === 'string')
      this.protocolVersion ??= params.protocolVersion;
    const { target, attributes } = describeRequest(method, params);
    const sessionId = this.options.sessionId?.();
    const clientAddress = info?.clientAddress ?? this.options.clientAddress;
    const parent =
      incoming && meta?.traceparent ? propagator.extract(ROOT_CONTEXT, meta, metaGetter) : context.active();
    const span = this.telemetry.tracer.startSpan(
      target ? `${method} ${target}` : method,
      {
        kind: incoming ? SpanKind.SERVER : SpanKind.CLIENT,
        attributes: {
          [ATTR.method]: method,
          [ATTR.requestId]: String(id),
          ...attributes,
          ...this.base,
          ...this.versionAttribute(),
          ...(sessionId ? { [ATTR.sessionId]: sessionId } : {}),
          ...(clientAddress && incoming ? { [ATTR.clientAddress]: clientAddress } : {}),
        },
      },
      parent,
    );
    const { capture } = this.telemetry.config;
    if (capture.arguments && method === 'tools/call' && params) {
      span.setAttribute(
        ATTR.toolArguments,
        captureValue(params.arguments ?? {}, capture.redact_keys, capture.max_length),
      );
    }
    const pending: Pending = {
      span,
      started: now(),
      method,
      target,
      incoming,
      progressToken: meta?.progressToken,
    };
    this.pending.set(id, pending);
    if (pending.progressToken !== undefined) this.byProgressToken.set(pending.progressToken, pending);
    const ctx = trace.setSpan(parent, span);
    if (incoming && this.options.side === 'server') {
      this.log(ctx, SeverityNumber.INFO, 'Request started', {
        request_id: String(id),
        ...this.requestFields(pending, sessionId),
      });
    }
    return ctx;
  }

  private response(m: Json, outgoing: boolean, info: MessageInfo | undefined): void {
    const id = m.id as Id;
    const pending = this.pending.get(id);
    // A response travels the opposite way to its request.
    if (!pending || pending.incoming !== outgoing) return;
    const result = isObject(m.result) ? m.result : undefined;
    if (pending.method === 'initialize' && typeof result?.protocolVersion === 'string')
      this.protocolVersion = result.protocolVersion;
    const error = isObject(m.error) ? m.error : undefined;
    if (error) {
      this.finish(id, pending, {
        error: String(error.code ?? 'error'),
        message: String(error.message ?? ''),
        size: info?.size,
        m,
      });
    } else if (pending.method === 'tools/call' && result?.isError === true) {
      this.finish(id, pending, {
        error: 'tool_error',
        message: firstText(result),
        size: info?.size,
        m,
        result,
      });
    } else {
      this.finish(id, pending, { size: info?.size, m, result });
    }
  }

  private notification(m: Json, incoming: boolean): void {
    const params = isObject(m.params) ? m.params : undefined;
    if (m.method === 'notifications/cancelled' && params) {
      const pending = this.pending.get(params.requestId as Id);
      // The cancelled request runs the other way to the notification that cancels it.
      if (pending && pending.incoming === incoming) {
        this.finish(params.requestId as Id, pending, {
          error: 'cancelled',
          message: String(params.reason ?? 'cancelled'),
        });
      }
    } else if (m.method === 'notifications/progress' && params) {
      this.byProgressToken.get(params.progressToken)?.span.addEvent('progress', {
        ...(typeof params.progress === 'number' ? { 'mcp.progress': params.progress } : {}),
        ...(typeof params.total === 'number' ? { 'mcp.progress.total': params.total } : {}),
      });
    }
  }

  private finish(
    id: Id,
    p: Pending,
    outcome: { error?: string; message?: string; size?: number; m?: Json; result?: Json },
  ): void {
    this.pending.delete(id);
    if (p.progressToken !== undefined) this.byProgressToken.delete(p.progressToken);
    const seconds = (now() - p.started) / 1000;
    const { span } = p;
    const { instruments, config } = this.telemetry;
    if (outcome.error) {
      span.setAttribute(ATTR.errorType, outcome.error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.message });
    }
    if (p.incoming && p.target && outcome.result && config.capture.results) {
      span.setAttribute(
        ATTR.toolResult,
        captureValue(outcome.result, config.capture.redact_keys, config.capture.max_length),
      );
    }
    if (this.protocolVersion) span.setAttribute(ATTR.protocolVersion, this.protocolVersion);
    const sessionId = this.options.sessionId?.();
    if (sessionId) span.setAttribute(ATTR.sessionId, sessionId);
    span.end();

    const attributes: Attributes = {
      [ATTR.method]: p.method,
      ...(p.method === 'tools/call' && p.target ? { [ATTR.toolName]: p.target } : {}),
      ...(p.method === 'prompts/get' && p.target ? { [ATTR.promptName]: p.target } : {}),
      ...(outcome.error ? { [ATTR.errorType]: outcome.error } : {}),
      ...this.base,
      ...this.versionAttribute(),
    };
    if (!p.incoming) {
      instruments.clientDuration.record(seconds, attributes);
      return;
    }
    instruments.serverDuration.record(seconds, attributes);
    if (this.options.side !== 'server') return;
    // The monitoring guide's series, so its dashboard and alert rules work unchanged.
    instruments.requests.add(1, { method: p.method, endpoint: p.target ?? '' });
    instruments.requestDuration.record(seconds, { method: p.method });
    const status = outcome.error ? 'error' : 'success';
    if (p.method === 'tools/call' && p.target) instruments.toolExecutions.add(1, { tool: p.target, status });

    const ctx = trace.setSpan(ROOT_CONTEXT, span);
    if (outcome.error && p.method === 'tools/call') {
      this.log(ctx, SeverityNumber.ERROR, 'Tool execution failed', {
        tool_name: p.target ?? '',
        error: outcome.message ?? outcome.error,
        error_type: outcome.error,
      });
    }
    if (config.request_logs) {
      this.log(ctx, outcome.error ? SeverityNumber.WARN : SeverityNumber.INFO, 'Request completed', {
        request_id: String(id),
        ...this.requestFields(p, sessionId),
        status,
        ...(outcome.error ? { error_type: outcome.error } : {}),
        duration_ms: seconds * 1000,
        response_size: outcome.size ?? (outcome.m ? JSON.stringify(outcome.m).length : 0),
      });
    }
  }

  private requestFields(p: Pending, sessionId: string | undefined): Attributes {
    return {
      method: p.method,
      ...(p.target ? { target: p.target } : {}),
      ...(p.method === 'tools/call' && p.target ? { tool_name: p.target } : {}),
      ...(sessionId ? { session_id: sessionId } : {}),
    };
  }

  private log(ctx: Context, severityNumber: SeverityNumber, body: string, attributes: Attributes): void {
    const { logs, config } = this.telemetry;
    if (!logs || (!config.request_logs && severityNumber < SeverityNumber.ERROR)) return;
    logs.emit({ severityNumber, severityText: SEVERITY[severityNumber], body, attributes, context: ctx });
  }

  private versionAttribute(): Attributes {
    return this.protocolVersion ? { [ATTR.protocolVersion]: this.protocolVersion } : {};
  }
}

const SEVERITY: Partial<Record<SeverityNumber, string>> = {
  [SeverityNumber.INFO]: 'INFO',
  [SeverityNumber.WARN]: 'WARN',
  [SeverityNumber.ERROR]: 'ERROR',
};

/** A copy of an outgoing request with the span's trace context in `params._meta`. */
function withTraceContext(m: Json, ctx: Context): Json {
  const params = isObject(m.params) ? m.params : {};
  const meta: Json = isObject(params._meta) ? { ...params._meta } : {};
  propagator.inject(ctx, meta, metaSetter);
  return { ...m, params: { ...params, _meta: meta } };
}

function firstText(result: Json): string {
  const content = Array.isArray(result.content) ? result.content : [];
  const text = content.find((c): c is Json => isObject(c) && c.type === 'text' && typeof c.text === 'string');
  return text ? String(text.text).slice(0, 1024) : 'the tool reported an error';
}
