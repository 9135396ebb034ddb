import type { Counter, Histogram, UpDownCounter } from '@opentelemetry/api';
import type { LogFields } from '../../../core/sdk/log-record.js';
import type { TrustedProxies } from './client-address.js';
import type { McpConfig } from './config.js';
import type { OperationStats } from './operations.js';
import type { WaitingRounds } from './protocol-2026.js';
import type { RequestSpan } from './request-span.js';

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

/**
 * What sessions report requests to and record them with: the receiver's McpTelemetry. An interface
 * here so sessions, the recorder and the telemetry each import it, not one another.
 */
export interface RequestRecorder {
  readonly config: McpConfig;
  /** Whose X-Forwarded-For gives client.address (`trusted_proxies`). */
  readonly trustedProxies: TrustedProxies;
  readonly instruments: McpInstruments;
  readonly operations: OperationStats;
  /** Multi-round-trip operations waiting for their next round. */
  readonly rounds: WaitingRounds;
  /** Whether a logs pipeline lists this receiver. */
  readonly logging: boolean;
  log(fields: LogFields): void;
  hookError(err: unknown): void;
  /** A request this side serves arrived: its "Request started" record is made in the next record. */
  started(request: RequestSpan): void;
  /** A request's response left or arrived: its span, metrics and records are made in the next record. */
  finished(request: RequestSpan): void;
}
