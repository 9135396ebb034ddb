import type { SpanContext } from '@opentelemetry/api';

type Json = Record<string, unknown>;

/**
 * Revision 2026-07-28 and later: no `initialize` and no session. Each request states its protocol
 * version, client and capabilities in `params._meta` under these keys; results name their server
 * there too; notifications of a `subscriptions/listen` stream name the subscription.
 */
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

export const STATELESS_REVISION = '2026-07-28';

/** Dated revisions order as strings do. */
export const isStateless = (version: string | undefined): boolean =>
  version !== undefined && version >= STATELESS_REVISION;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The protocol version a request states in its `_meta` (2026-07-28 and later do). */
export function statedVersion(meta: Json | undefined): string | undefined {
  const version = meta?.[META.protocolVersion];
  return typeof version === 'string' ? version : undefined;
}

/** Who sent a request, as far as a stateless request says: its client's name and the peer's address. */
export function callerOf(meta: Json | undefined, address: string | undefined): string {
  const info = meta?.[META.clientInfo];
  const name = isObject(info) && typeof info.name === 'string' ? info.name : '';
  return `${name}\u0000${address ?? ''}`;
}

/** The subscription a notification belongs to (`subscriptions/listen` streams tag each one). */
export function subscriptionOf(params: Json): unknown {
  const meta = params._meta;
  return isObject(meta) ? meta[META.subscriptionId] : undefined;
}

/**
 * Multi-round-trip requests: a server answers `resultType: "input_required"` with `inputRequests`
 * and/or an opaque `requestState`; the client retries the request (a new JSON-RPC id) with
 * `inputResponses` and that `requestState`. What ties a retry to the round before it: the server's
 * `requestState` when it sent one, otherwise the names of the inputs it asked for, of the same
 * method and target from the same caller.
 */
export function interimKey(operation: string, result: Json): string | undefined {
  if (result.resultType !== 'input_required') return undefined;
  return roundKey(operation, result.requestState, result.inputRequests);
}

/** The key of a retry (its `requestState` or `inputResponses`), or undefined for a first round. */
export function retryKey(operation: string, params: Json | undefined): string | undefined {
  if (!params || (params.requestState === undefined && params.inputResponses === undefined)) return undefined;
  return roundKey(operation, params.requestState, params.inputResponses);
}

function roundKey(operation: string, state: unknown, inputs: unknown): string {
  if (typeof state === 'string') return `${operation}\u0000s\u0000${state}`;
  const names = isObject(inputs) ? Object.keys(inputs).sort().join('\u0000') : '';
  return `${operation}\u0000i\u0000${names}`;
}

/** A round that ended `input_required`: what the retry continuing the operation links to and counts from. */
export interface Round {
  span: SpanContext;
  /** performance.now() when the operation's first round arrived. */
  started: number;
  /** Rounds so far. */
  rounds: number;
}

/** Operations waiting for a retry are held up to this many; past it the oldest gives way. */
const MAX_WAITING = 1000;

/**
 * Operations waiting for their next round, across the receiver's sessions (over HTTP each round of a
 * stateless request may come on a new connection). Bounded: a client that never retries leaves an
 * entry behind, which gives way to newer ones, counted by `onDropped`.
 */
export class WaitingRounds {
  private readonly waiting = new Map<string, Round>();

  constructor(
    private readonly onDropped: () => void,
    private readonly max = MAX_WAITING,
  ) {}

  wait(key: string, round: Round): void {
    this.waiting.delete(key);
    if (this.waiting.size >= this.max) {
      const oldest = this.waiting.keys().next().value as string;
      this.waiting.delete(oldest);
      this.onDropped();
    }
    this.waiting.set(key, round);
  }

  /** The round a retry continues, taken off the list. */
  resume(key: string): Round | undefined {
    const round = this.waiting.get(key);
    if (round) this.waiting.delete(key);
    return round;
  }
}
