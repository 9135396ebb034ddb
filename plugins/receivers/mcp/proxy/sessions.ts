import type { Logger } from 'pino';
import type { McpHooks, McpSession, McpSessionOptions } from '../types.js';
import { openSession } from './guard.js';

/** An McpSession and the Mcp-Session-Id it goes by, once the server has assigned one. */
export class HttpSession {
  id?: string;
  /** Requests and streams of this session in flight: an open GET stream keeps a session alive. */
  open = 0;
  lastSeen = Date.now();
  readonly session: McpSession;

  constructor(hooks: McpHooks, clientAddress: string | undefined, logger: Logger, exchange = false) {
    const options: McpSessionOptions = {
      side: 'server',
      transport: 'tcp',
      networkProtocol: 'http',
      exchange,
      // Read when spans start and end: an initialize request learns its session id from its response.
      sessionId: () => this.id,
      ...(clientAddress ? { clientAddress } : {}),
    };
    this.session = openSession(hooks, options, logger);
  }
}

/**
 * The MCP sessions one HTTP proxy sees: one per `Mcp-Session-Id`, plus one shared by requests without
 * an id (stateless servers). An `initialize` request comes before its session id exists, so it gets a
 * provisional session that takes the id from the response (`adopt`). Sessions end on DELETE, when the
 * server forgets them (404), after `idleMs` without traffic, or when the proxy closes.
 */
export class HttpSessions {
  private readonly byId = new Map<string, HttpSession>();
  private stateless?: HttpSession;
  private readonly sweep?: NodeJS.Timeout;

  constructor(
    private readonly hooks: McpHooks,
    private readonly logger: Logger,
    private readonly idleMs: number,
  ) {
    if (idleMs > 0) this.sweep = setInterval(() => this.closeIdle(), Math.min(idleMs, 60_000)).unref();
  }

  /** The session of a request that names one; made on first sight (the proxy may start mid-session). */
  named(id: string, clientAddress: string | undefined): HttpSession {
    let known = this.byId.get(id);
    if (!known) {
      known = this.make(clientAddress);
      known.id = id;
      this.byId.set(id, known);
    }
    return known;
  }

  /** A session for an `initialize` request; `adopt` gives it the id the response carries. */
  provisional(clientAddress: string | undefined): HttpSession {
    return this.make(clientAddress);
  }

  /**
   * The response to a provisional session's request arrived. With a session id, the session is known
   * by it from now on. A successful one without an id means a stateless server: the session becomes
   * the shared one. Otherwise (a failed initialize, or a shared session exists already) it lives for
   * this exchange only: returns true, close it when the response ends.
   */
  adopt(provisional: HttpSession, id: string | undefined, ok: boolean): boolean {
    if (id && !this.byId.has(id)) {
      provisional.id = id;
      this.byId.set(id, provisional);
      return false;
    }
    if (ok && !id && !this.stateless) {
      this.stateless = provisional;
      return false;
    }
    return true;
  }

  /** A session for one exchange without a session id (stateless traffic), closed when it ends. */
  exchange(clientAddress: string | undefined): HttpSession {
    return new HttpSession(this.hooks, clientAddress, this.logger, true);
  }

  /** The session of requests without an id. */
  shared(clientAddress: string | undefined): HttpSession {
    this.stateless ??= this.make(clientAddress);
    return this.stateless;
  }

  /** The session `id` is over (DELETE answered, or the server no longer knows it). */
  end(id: string): void {
    const known = this.byId.get(id);
    if (!known) return;
    this.byId.delete(id);
    known.session.close();
  }

  closeAll(): void {
    if (this.sweep) clearInterval(this.sweep);
    for (const known of this.byId.values()) known.session.close();
    this.byId.clear();
    this.stateless?.session.close();
    this.stateless = undefined;
  }

  get size(): number {
    return this.byId.size + (this.stateless ? 1 : 0);
  }

  private make(clientAddress: string | undefined): HttpSession {
    return new HttpSession(this.hooks, clientAddress, this.logger);
  }

  // Clients rarely send DELETE: without this, a long-running proxy would keep every abandoned session.
  private closeIdle(): void {
    const before = Date.now() - this.idleMs;
    for (const [id, known] of this.byId) if (known.open === 0 && known.lastSeen < before) this.end(id);
  }
}
