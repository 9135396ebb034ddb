import type { Attributes } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { jsonLength } from './json-length.js';
import type { Operation } from './operations.js';
import type { RequestSpan } from './request-span.js';
import type { RequestRecorder } from './requests.js';
import { ATTR } from './semconv.js';

/**
 * "Request started": the monitoring guide's middleware log, linked to the request's span.
 * `clockOffset` is `Date.now() - performance.now()` at record time.
 */
export function logStarted(telemetry: RequestRecorder, p: RequestSpan, clockOffset: number): void {
  if (!telemetry.logging || !telemetry.config.request_logs) return;
  telemetry.log({
    time: p.startedAt(clockOffset),
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: 'Request started',
    attributes: requestFields(p),
    spanContext: p.spanContext(),
  });
}

/** What a request's metrics are broken down by: one object, filled per request (the stats copy it). */
const operation: Operation = { side: 'server', method: '' };

/** Metrics and logs of a finished request: the semantic conventions' series and the guide's. */
export function recordFinished(telemetry: RequestRecorder, p: RequestSpan, clockOffset: number): void {
  const { options } = p.session;
  const server = options.side === 'server';
  // A client records the requests it sends; a server those it serves (the guide's series among them).
  if (p.incoming !== server) return;
  // A retry of a multi-round-trip request continues its operation: one duration from the first round.
  const seconds = (p.ended - p.operationStarted) / 1000;
  const op = operation;
  op.side = options.side;
  op.method = p.method;
  op.target = p.target;
  op.targetKey = p.method === 'prompts/get' ? ATTR.promptName : ATTR.toolName;
  op.error = p.error;
  op.statusCode = p.statusCode;
  op.transport = options.transport;
  op.protocol = options.networkProtocol;
  op.serverAddress = server ? undefined : options.serverAddress;
  op.serverPort = server ? undefined : options.serverPort;
  op.version = p.version ?? ((p.sharedAtEnd ?? p.shared)[ATTR.protocolVersion] as string | undefined);
  telemetry.operations.record(op, seconds);
  if (!server || !telemetry.logging) return;

  // To the guide a request answered with an error failed, whoever's mistake it was.
  const failed = p.error ?? p.statusCode;
  const time = p.endedAt(clockOffset);
  const spanContext = p.spanContext();
  if (failed && p.method === 'tools/call') {
    telemetry.log({
      time,
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      body: 'Tool execution failed',
      attributes: {
        tool_name: p.target ?? '',
        error: p.message ?? failed,
        error_type: failed,
      },
      spanContext,
    });
  }
  if (!telemetry.config.request_logs) return;
  const fields = requestFields(p);
  fields.status = failed ? 'error' : 'success';
  if (failed) fields.error_type = failed;
  fields.duration_ms = seconds * 1000;
  fields.response_size = p.size ?? (p.response ? (jsonLength(p.response) ?? 0) : 0);
  telemetry.log({
    time,
    severityNumber: failed ? SeverityNumber.WARN : SeverityNumber.INFO,
    severityText: failed ? 'WARN' : 'INFO',
    body: 'Request completed',
    attributes: fields,
    spanContext,
  });
}

function requestFields(p: RequestSpan): Attributes {
  const fields: Attributes = { request_id: String(p.id), method: p.method };
  if (p.target) {
    fields.target = p.target;
    if (p.method === 'tools/call') fields.tool_name = p.target;
  }
  if (p.sessionId) fields.session_id = p.sessionId;
  return fields;
}
