import {
  createTraceState,
  type Link,
  type SpanContext,
  SpanKind,
  type SpanStatusCode,
} from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import {
  attributes,
  type Converted,
  hrDuration,
  hrTime,
  id,
  itemsOf,
  type Json,
  number,
  object,
  objects,
  text,
} from './values.js';

// Span flags (OTLP): the low 8 bits are the W3C trace flags; bit 9 says the parent (or link) is remote.
const IS_REMOTE = 0x200;

/** An ExportTraceServiceRequest as ReadableSpans; spans without a valid trace or span id are rejected. */
export function spansOf(request: Json): Converted<ReadableSpan> {
  const items: ReadableSpan[] = [];
  let rejected = 0;
  for (const { item: span, resource, scope } of itemsOf(request, ['resourceSpans', 'scopeSpans', 'spans'])) {
    const traceId = id(span.traceId, 16);
    const spanId = id(span.spanId, 8);
    if (traceId === undefined || spanId === undefined) {
      rejected++;
      continue;
    }
    const flags = number(span.flags, 'flags');
    const context = spanContext(traceId, spanId, flags, span.traceState);
    const parentId = id(span.parentSpanId, 8);
    const startTime = hrTime(span.startTimeUnixNano, 'startTimeUnixNano');
    const endTime = hrTime(span.endTimeUnixNano, 'endTimeUnixNano');
    const status = object(span.status, 'status');
    const linked = objects(span.links, 'links').map(linkOf);
    const links = linked.filter((link) => link !== undefined);
    items.push({
      name: text(span.name, 'name'),
      kind: kindOf(number(span.kind, 'kind')),
      spanContext: () => context,
      parentSpanContext: parentId
        ? { traceId, spanId: parentId, traceFlags: flags & 0xff, isRemote: (flags & IS_REMOTE) !== 0 }
        : undefined,
      startTime,
      endTime,
      duration: hrDuration(startTime, endTime),
      ended: true,
      status: {
        code: number(status.code, 'status.code') as SpanStatusCode,
        message: text(status.message, 'status.message') || undefined,
      },
      attributes: attributes(span.attributes),
      events: objects(span.events, 'events').map(eventOf),
      links,
      resource,
      instrumentationScope: scope,
      droppedAttributesCount: number(span.droppedAttributesCount, 'droppedAttributesCount'),
      droppedEventsCount: number(span.droppedEventsCount, 'droppedEventsCount'),
      // A link that names no valid span cannot be kept: it counts as dropped.
      droppedLinksCount: number(span.droppedLinksCount, 'droppedLinksCount') + linked.length - links.length,
    });
  }
  return { items, rejected, what: 'spans with an invalid trace or span id' };
}

function spanContext(traceId: string, spanId: string, flags: number, state: unknown): SpanContext {
  const traceState = text(state, 'traceState');
  return {
    traceId,
    spanId,
    traceFlags: flags & 0xff,
    ...(traceState ? { traceState: createTraceState(traceState) } : {}),
  };
}

// OTLP counts span kinds from 1 (0 is unspecified); the API from 0 (INTERNAL).
function kindOf(otlpKind: number): SpanKind {
  return otlpKind >= 1 && otlpKind <= 5 ? ((otlpKind - 1) as SpanKind) : SpanKind.INTERNAL;
}

function eventOf(value: unknown): TimedEvent {
  const event = object(value, 'events');
  return {
    name: text(event.name, 'events.name'),
    time: hrTime(event.timeUnixNano, 'events.timeUnixNano'),
    attributes: attributes(event.attributes, 'events.attributes'),
    droppedAttributesCount: number(event.droppedAttributesCount, 'events.droppedAttributesCount'),
  };
}

/** A link, or undefined when it does not name a valid span. */
function linkOf(value: unknown): Link | undefined {
  const link = object(value, 'links');
  const traceId = id(link.traceId, 16);
  const spanId = id(link.spanId, 8);
  if (traceId === undefined || spanId === undefined) return undefined;
  const flags = number(link.flags, 'links.flags');
  const context = {
    ...spanContext(traceId, spanId, flags, link.traceState),
    isRemote: (flags & IS_REMOTE) !== 0,
  };
  return {
    context,
    attributes: attributes(link.attributes, 'links.attributes'),
    droppedAttributesCount: number(link.droppedAttributesCount, 'links.droppedAttributesCount'),
  };
}
