import type { Meter } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Batch, Signal } from './signals.js';

export type { Batch, Signal } from './signals.js';

/** Takes a batch. A rejected promise means the batch was refused; say why with the errors below. */
export interface Consumer<S extends Signal = Signal> {
  consume(batch: Batch<S>): Promise<void>;
  /** True when consume() changes the batch: the fan-out then hands it a private copy. */
  readonly mutatesData?: boolean;
}

/** Downstream is full or down: the same batch may succeed later. */
export class RetryableError extends Error {
  override name = 'RetryableError';
  /** The backend asked to wait at least this long (an HTTP `Retry-After`): the next attempt waits that long or more. */
  readonly retryAfterMs?: number;

  constructor(message?: string, options?: ErrorOptions & { retryAfterMs?: number }) {
    super(message, options);
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** The data itself is bad: retrying cannot help. It is dropped, counted and logged once. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

export interface Component {
  start(host: Host): Promise<void>;
  /** Stop taking data and flush what is held. Safe to call twice, and without start(). */
  shutdown(): Promise<void>;
}

/** Produces data for the `next` consumers it was created with. */
export type Receiver = Component;
/** Transforms a batch and passes it to its `next` consumer. */
export type Processor<S extends Signal = Signal> = Component & Consumer<S>;
/** Sends a batch out of the engine; wrap sending in core/exporterhelper. */
export type Exporter<S extends Signal = Signal> = Component & Consumer<S>;
/** An exporter in a pipeline of one signal that feeds, as a receiver, pipelines of another. */
export type Connector<A extends Signal = Signal> = Component & Consumer<A>;
/** A component with no data path: health checks, storage, admin endpoints. */
export type Extension = Component;

export type ComponentKind = 'receiver' | 'processor' | 'exporter' | 'connector' | 'extension';

export type StatusName = 'starting' | 'ok' | 'recoverable_error' | 'permanent_error' | 'stopping' | 'stopped';
export interface ComponentStatus {
  status: StatusName;
  error?: Error;
  time: Date;
}

/** What a running component may ask of the engine. */
export interface Host {
  getExtension<T extends Extension = Extension>(id: string): T | undefined;
  reportStatus(status: StatusName, error?: Error): void;
  readonly logger: Logger;
  readonly meter: Meter;
  /**
   * Aborts when the engine's shutdown drain deadline passes: stop draining and drop what is left.
   * A shutdown() still running 500 ms later is abandoned.
   */
  readonly shutdownSignal: AbortSignal;
}
