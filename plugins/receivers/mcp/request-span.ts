import {
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  INVALID_SPAN_CONTEXT,
  type Link,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
  TraceFlags,
} from '@opentelemetry/api';
import {
  addHrTimes,
  isAttributeValue,
  isTimeInput,
  millisToHrTime,
  sanitizeAttributes,
  timeInputToHrTime,
} from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
} from '@opentelemetry/semantic-conventions';
import { randomSpanId, randomTraceId } from '../../../core/sdk/ids.js';
import { ATTR, describeRequest } from './semconv.js';
import type { McpSessionOptions } from './types.js';

type Id = string | number;

/** What the recorder reads of the session a request belongs to. */
export interface ObservedSession {
  readonly options: McpSessionOptions;
  /** network.transport, mcp.protocol.version, mcp.session.id as they stand now. */
  attributes(): Attributes;
}

/** The SDK's default span limits: attributes, events and links a span keeps. */
const LIMIT = 128;
const SCOPE = { name: 'tributary-mcp', version: undefined, schemaUrl: undefined };
/** Shared by the spans that have no links, events or status: batches are read-only downstream. */
const NONE: never[] = Object.freeze([]) as unknown as never[];
const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });

/**
 * One request, from the moment it arrives or is sent until its span is recorded: the facts the hooks
 * learn on the request's path, kept as they are. The span's attributes, ids and timestamps are made
 * from them in the telemetry's record, after the response left (`toReadableSpan`). Handler
 * code that reads the active span gets this object: it is a Span of `@opentelemetry/api` whose
 * attributes, events, links and status go into the recorded span, and which ends when the response
 * leaves (its own `end()` does nothing).
 */
export class RequestSpan implements Span {
  target?: string;
  /** The resource it reads or (un)subscribes to. */
  resourceUri?: string;
  /** The session's attributes when it started, and when it ended if they changed meanwhile. */
  shared!: Attributes;
  sharedKey = 0;
  sharedAtEnd?: Attributes;
  sessionId?: string;
  progressToken?: unknown;
  /** The protocol version the request stated in its `_meta` (2026-07-28 and later). */
  version?: string;
  /** A 2026-07-28 request: what ties its rounds together (side, caller, method, target). */
  operation?: string;
  /** Which round of a multi-round-trip request this is (from 2), when it continues one. */
  round?: number;
  /** performance.now() when its operation began: its first round's start. */
  operationStarted: number;
  capturedResult?: string;
  /** The context it started in, when read (from `params._meta`, or the ambient one when it propagates). */
  parentContext?: Context;
  /** The parent span's context, when there is a valid one. */
  parent?: SpanContext;
  sampled = true;
  /** Tracing was suppressed in the ambient context: the span has the invalid context and is not recorded. */
  suppressed = false;

  /** performance.now() when the response left; -1 while in flight. */
  ended = -1;
  /** It ended `input_required`: a span of its own, counted in metrics and logs by the round that completes it. */
  interim = false;
  /** `error.type`: set when the operation failed. */
  error?: string;
  /** `rpc.response.status_code`: the JSON-RPC error code of the response, failure or not. */
  statusCode?: string;
  message?: string;
  /** The response's size on the wire, when the caller knows it (the proxies do). */
  size?: number;
  response?: Record<string, unknown>;

  /** Waiting in the telemetry's queue. */
  queued = false;
  /** Its "Request started" record is made, or not wanted (a retry continues its first round's). */
  startRecorded = false;

  /** Attributes learned on the request's path beyond its method and params: peer, server, captures. */
  private learned?: Attributes;
  private context?: SpanContext;
  private startTime?: HrTime;
  private endTime?: HrTime;
  private renamed?: string;
  private status?: SpanStatus;
  /** What handler code set through the Span API. */
  private extra?: Attributes;
  private extraCount = 0;
  private droppedAttributes = 0;
  private events?: TimedEvent[];
  private droppedEvents = 0;
  private links?: Link[];
  private droppedLinks = 0;

  constructor(
    readonly session: ObservedSession,
    readonly id: Id,
    readonly method: string,
    /** Incoming requests are served here (SERVER spans); outgoing ones are sent from here (CLIENT spans). */
    readonly incoming: boolean,
    /** performance.now() when it arrived or was sent. */
    readonly started: number,
  ) {
    this.operationStarted = started;
  }

  /** The attributes learned on the request's path, made when the first one is. */
  learnedAttributes(): Attributes {
    this.learned ??= {};
    return this.learned;
  }

  get name(): string {
    return this.renamed ?? (this.target ? `${this.method} ${this.target}` : this.method);
  }

  /** Made when first asked for: by handler code, an outgoing request's `_meta`, or the record. */
  spanContext(): SpanContext {
    if (this.context) return this.context;
    const traceFlags = this.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE;
    const { parent } = this;
    this.context = this.suppressed
      ? INVALID_SPAN_CONTEXT
      : {
          traceId: parent ? parent.traceId : randomTraceId(),
          spanId: randomSpanId(),
          traceFlags,
          traceState: parent?.traceState,
        };
    return this.context;
  }

  /** The wall-clock time it started, given `Date.now() - performance.now()` at record time. */
  startedAt(clockOffset: number): HrTime {
    this.startTime ??= millisToHrTime(clockOffset + this.started);
    return this.startTime;
  }

  /** The wall-clock time it ended: its start plus its duration, as the SDK times a span. */
  endedAt(clockOffset: number): HrTime {
    this.endTime ??= addHrTimes(this.startedAt(clockOffset), millisToHrTime(this.ended - this.started));
    return this.endTime;
  }

  isRecording(): boolean {
    return this.ended < 0 && this.sampled;
  }

  setAttribute(key: string, value?: AttributeValue): this {
    if (!this.isRecording() || value == null || key.length === 0 || !isAttributeValue(value)) return this;
    this.extra ??= {};
    if (!Object.hasOwn(this.extra, key)) {
      if (this.extraCount >= LIMIT) {
        this.droppedAttributes++;
        return this;
      }
      this.extraCount++;
    }
    this.extra[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key of Object.keys(attributes)) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (!this.isRecording()) return this;
    let attributes = attributesOrTime as Attributes | undefined;
    if (isTimeInput(attributesOrTime)) {
      time ??= attributesOrTime;
      attributes = undefined;
    }
    this.events ??= [];
    if (this.events.length >= LIMIT) {
      this.events.shift();
      this.droppedEvents++;
    }
    this.events.push({
      name,
      attributes: sanitizeAttributes(attributes),
      time: time === undefined ? millisToHrTime(Date.now()) : timeInputToHrTime(time),
      droppedAttributesCount: 0,
    });
    return this;
  }

  addLink(link: Link): this {
    if (!this.isRecording()) return this;
    this.links ??= [];
    if (this.links.length >= LIMIT) {
      this.links.shift();
      this.droppedLinks++;
    }
    this.links.push(
      link.attributes ? { context: link.context, attributes: sanitizeAttributes(link.attributes) } : link,
    );
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.isRecording() || status.code === SpanStatusCode.UNSET) return this;
    if (this.status?.code === SpanStatusCode.OK) return this;
    this.status =
      status.code === SpanStatusCode.ERROR && typeof status.message === 'string'
        ? { code: status.code, message: status.message }
        : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (this.isRecording()) this.renamed = name;
    return this;
  }

  /** The hooks end the span when the response leaves. */
  end(): void {}

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes[ATTR_EXCEPTION_MESSAGE] = exception;
    else if (exception) {
      const type = exception.code ? String(exception.code) : exception.name;
      if (type) attributes[ATTR_EXCEPTION_TYPE] = type;
      if (exception.message) attributes[ATTR_EXCEPTION_MESSAGE] = exception.message;
      if (exception.stack) attributes[ATTR_EXCEPTION_STACKTRACE] = exception.stack;
    }
    if (attributes[ATTR_EXCEPTION_TYPE] || attributes[ATTR_EXCEPTION_MESSAGE])
      this.addEvent('exception', attributes, time);
  }

  /** The finished span, as the SDK would have recorded it; undefined when it is not sampled. */
  toReadableSpan(resource: Resource, clockOffset: number): ReadableSpan | undefined {
    if (!this.sampled) return undefined;
    const { method } = this;
    const attributes: Attributes = { [ATTR.method]: method, [ATTR.requestId]: String(this.id) };
    describeRequest(method, this.target, this.resourceUri, attributes);
    Object.assign(attributes, this.shared);
    if (this.learned) Object.assign(attributes, this.learned);
    if (this.extra) Object.assign(attributes, this.extra);
    if (this.statusCode) attributes[ATTR.statusCode] = this.statusCode;
    let status = this.status ?? UNSET;
    if (this.error) {
      attributes[ATTR.errorType] = this.error;
      if (status.code !== SpanStatusCode.OK)
        status =
          this.message === undefined
            ? { code: SpanStatusCode.ERROR }
            : { code: SpanStatusCode.ERROR, message: this.message };
    }
    if (this.capturedResult !== undefined) attributes[ATTR.toolResult] = this.capturedResult;
    if (this.sharedAtEnd) Object.assign(attributes, this.sharedAtEnd);

    const span = new EndedSpan(this.spanContext(), this.startedAt(clockOffset), this.endedAt(clockOffset));
    span.name = this.name;
    span.kind = this.incoming ? SpanKind.SERVER : SpanKind.CLIENT;
    span.parentSpanContext = this.parent;
    span.status = status;
    span.attributes = attributes;
    span.links = this.links ?? NONE;
    span.events = this.events ?? NONE;
    span.duration = millisToHrTime(this.ended - this.started);
    span.resource = resource;
    span.droppedAttributesCount = this.droppedAttributes;
    span.droppedEventsCount = this.droppedEvents;
    span.droppedLinksCount = this.droppedLinks;
    return span;
  }
}

/** A request's span as the pipelines get it: a ReadableSpan and nothing more, as the SDK's own. */
class EndedSpan implements ReadableSpan {
  name = '';
  kind = SpanKind.SERVER;
  parentSpanContext?: SpanContext = undefined;
  status = UNSET;
  attributes: Attributes = {};
  links: Link[] = NONE;
  events: TimedEvent[] = NONE;
  duration: HrTime = [0, 0];
  readonly ended = true;
  resource!: Resource;
  readonly instrumentationScope = SCOPE;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;

  constructor(
    private readonly context: SpanContext,
    readonly startTime: HrTime,
    readonly endTime: HrTime,
  ) {}

  spanContext(): SpanContext {
    return this.context;
  }
}
