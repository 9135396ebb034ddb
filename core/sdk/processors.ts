import type { Context } from '@opentelemetry/api';
import type { LogRecordProcessor, SdkLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Handoff } from './handoff.js';

/** A span processor that hands ended spans to a pipeline (see Handoff). */
export class PipelineSpanProcessor implements SpanProcessor {
  constructor(private readonly handoff: Handoff<'traces'>) {}
  onStart(_span: Span, _context: Context): void {}
  onEnd(span: ReadableSpan): void {
    this.handoff.push(span);
  }
  forceFlush(): Promise<void> {
    return this.handoff.drain();
  }
  shutdown(): Promise<void> {
    return this.handoff.drain();
  }
}

/** A log record processor that hands emitted records to a pipeline (see Handoff). */
export class PipelineLogProcessor implements LogRecordProcessor {
  constructor(private readonly handoff: Handoff<'logs'>) {}
  onEmit(record: SdkLogRecord): void {
    this.handoff.push(record);
  }
  forceFlush(): Promise<void> {
    return this.handoff.drain();
  }
  shutdown(): Promise<void> {
    return this.handoff.drain();
  }
}
