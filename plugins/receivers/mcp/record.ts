import type { Attributes } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { ObservedSession, Outcome, Pending, RequestRecorder } from './requests.js';
import { ATTR } from './semconv.js';

/** "Request started": the monitoring guide's middleware log, linked to the request's span. */
export function logStarted(telemetry: RequestRecorder, p: Pending): void {
  if (!telemetry.logging || !telemetry.config.request_logs) return;
  telemetry.log({
    time: p.startedAt,
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: 'Request started',
    attributes: requestFields(p),
    spanContext: p.span.spanContext(),
  });
}

/** Metrics and logs of a finished request: the semantic conventions' series and the guide's. */
export function recordFinished(
  telemetry: RequestRecorder,
  session: ObservedSession,
  p: Pending,
  outcome: Outcome,
): void {
  const server = session.options.side === 'server';
  // A client records the requests it sends; a server those it serves (the guide's series among them).
  if (p.incoming !== server) return;
  const shared = session.attributes();
  telemetry.operations.record(
    {
      side: session.options.side,
      method: p.method,
      target: p.target,
      targetKey: p.method === 'prompts/get' ? ATTR.promptName : ATTR.toolName,
      error: outcome.error,
      statusCode: outcome.statusCode,
      transport: session.options.transport,
      protocol: session.options.networkProtocol,
      serverAddress: server ? undefined : session.options.serverAddress,
      serverPort: server ? undefined : session.options.serverPort,
      version: p.version ?? (shared[ATTR.protocolVersion] as string | undefined),
    },
    outcome.seconds,
  );
  if (!server) return;

  // To the guide a request answered with an error failed, whoever's mistake it was.
  const failed = outcome.error ?? outcome.statusCode;
  const status = failed ? 'error' : 'success';
  if (!telemetry.logging) return;
  const spanContext = p.span.spanContext();
  if (failed && p.method === 'tools/call') {
    telemetry.log({
      time: outcome.endedAt,
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      body: 'Tool execution failed',
      attributes: {
        tool_name: p.target ?? '',
        error: outcome.message ?? failed,
        error_type: failed,
      },
      spanContext,
    });
  }
  if (!telemetry.config.request_logs) return;
  const fields = requestFields(p);
  fields.status = status;
  if (failed) fields.error_type = failed;
  fields.duration_ms = outcome.seconds * 1000;
  fields.response_size = outcome.size ?? (outcome.response ? JSON.stringify(outcome.response).length : 0);
  telemetry.log({
    time: outcome.endedAt,
    severityNumber: failed ? SeverityNumber.WARN : SeverityNumber.INFO,
    severityText: failed ? 'WARN' : 'INFO',
    body: 'Request completed',
    attributes: fields,
    spanContext,
  });
}

function requestFields(p: Pending): Attributes {
  const fields: Attributes = { request_id: String(p.id), method: p.method };
  if (p.target) {
    fields.target = p.target;
    if (p.method === 'tools/call') fields.tool_name = p.target;
  }
  if (p.sessionId) fields.session_id = p.sessionId;
  return fields;
}
