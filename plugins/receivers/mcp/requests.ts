import type { Attributes, Counter, Histogram, Span, Tracer, UpDownCounter } from '@opentelemetry/api';
import type { LogFields } from '../../../core/sdk/log-record.js';
import type { TrustedProxies } from './client-address.js';
import type { McpConfig } from './config.js';
import type { OperationStats } from './operations.js';
import type { WaitingRounds } from './protocol-2026.js';
import type { McpSessionOptions } from './types.js';

type Id = string | number;

/** A request in flight. */
export interface Pending {
  id: Id;
  span: Span;
  /** performance.now() when it arrived, and the wall clock then (for its log record). */
  started: number;
  startedAt: number;
  method: string;
  target?: string;
  /** Incoming requests are served here (SERVER spans); outgoing ones are sent from here (CLIENT spans). */
  incoming: boolean;
  sessionId?: string;
  /** Which version of the session attributes the span started with. */
  sharedKey: number;
  progressToken?: unknown;
  /** The protocol version the request stated in its `_meta` (2026-07-28 and later). */
  version?: string;
  /** A 2026-07-28 request: what ties its rounds together (side, caller, method, target). */
  operation?: string;
  /** Which round of a multi-round-trip request this is (from 1), when it is one. */
  round?: number;
}

/** A finished request, recorded into metrics and logs after the response is on its way. */
export interface Outcome {
  seconds: number;
  endedAt: number;
  /** `error.type`: set when the operation failed. */
  error?: string;
  /** `rpc.response.status_code`: the JSON-RPC error code of the response, failure or not. */
  statusCode?: string;
  message?: string;
  size?: number;
  response?: Record<string, unknown>;
}

/** The instruments every session records into; made once per receiver. */
export interface McpInstruments {
  serverSessionDuration: Histogram;
  clientSessionDuration: Histogram;
  activeConnections: UpDownCounter;
  unparsed: Counter;
  hookErrors: Counter;
  /** Multi-round-trip operations whose next round was never linked: too many were waiting. */
  roundsDropped: Counter;
}

/** What the recorder reads of the session a request belongs to. */
export interface ObservedSession {
  readonly options: McpSessionOptions;
  /** network.transport, mcp.protocol.version, mcp.session.id as they stand now. */
  attributes(): Attributes;
}

/**
 * What sessions report requests to and record them with: the receiver's McpTelemetry. An interface
 * here so sessions, the recorder and the telemetry each import it, not one another.
 */
export interface RequestRecorder {
  readonly config: McpConfig;
  /** Whose X-Forwarded-For gives client.address (`trusted_proxies`). */
  readonly trustedProxies: TrustedProxies;
  readonly tracer: Tracer;
  readonly instruments: McpInstruments;
  readonly operations: OperationStats;
  /** Multi-round-trip operations waiting for their next round. */
  readonly rounds: WaitingRounds;
  /** Whether a logs pipeline lists this receiver. */
  readonly logging: boolean;
  log(fields: LogFields): void;
  hookError(err: unknown): void;
  started(session: ObservedSession, p: Pending): void;
  finished(session: ObservedSession, p: Pending, outcome: Outcome): void;
}
