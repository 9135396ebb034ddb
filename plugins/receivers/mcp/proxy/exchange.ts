import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { type BodyObserver, type BodyReader, JsonBody, observeBody } from './body.js';
import { hasInitialize, parseJsonRpc, requestId } from './jsonrpc.js';
import { labelledRequest, type RequestLabel, requestLabel } from './mcp-headers.js';
import type { HttpSession, HttpSessions } from './sessions.js';
import { SseParser } from './sse.js';

type Guard = (observe: () => void) => void;

/**
 * What one HTTP request to the MCP endpoint and its response say, reported to the right McpSession:
 * a POST body is `incoming`; a JSON response, and every event of an SSE response (POST or GET), is
 * `outgoing`. What the response says waits until the request has been reported, so a response is
 * never seen before its request. It only reads copies; the relay is http.ts's business.
 */
export class McpExchange {
  private readonly sessionId: string | undefined;
  /** The socket's peer; the receiver decides whether X-Forwarded-For overrides it (trusted_proxies). */
  private readonly clientAddress: string | undefined;
  private readonly clientPort: number | undefined;
  private readonly forwardedFor: string | undefined;
  private readonly protocolVersion: string | undefined;
  /** What `Mcp-Method` and `Mcp-Name` say (2026-07-28), known before the body, and when it came. */
  private readonly label: RequestLabel | undefined;
  private readonly arrived = performance.now();
  /** The request body was not JSON-RPC the proxy could read (too large, an encoding it cannot undo). */
  private skipped = false;
  private http?: HttpSession;
  private provisional = false;
  private adopted = false;
  private closeAfter = false;
  private endsSession = false;
  private request: unknown;
  /** What the response said before the request was reported; undefined once it has been. */
  private waiting: (() => void)[] | undefined = [];
  private readonly bodies: Promise<void>[] = [];
  private requestEnded!: () => void;
  /** Settles when the request body has been read and reported (or the request went away). */
  readonly requestRead = new Promise<void>((resolve) => (this.requestEnded = resolve));

  constructor(
    private readonly req: IncomingMessage,
    private readonly sessions: HttpSessions,
    private readonly guard: Guard,
  ) {
    this.sessionId = header(req.headers, 'mcp-session-id');
    this.clientAddress = req.socket.remoteAddress;
    this.clientPort = req.socket.remotePort;
    this.forwardedFor = header(req.headers, 'x-forwarded-for');
    this.protocolVersion = header(req.headers, 'mcp-protocol-version');
    if (req.method === 'POST') this.label = requestLabel(req.headers);
    // A GET stream keeps its session alive from the start, even while it has nothing to say.
    if (this.sessionId && req.method !== 'POST')
      this.attach(this.sessions.named(this.sessionId, this.clientAddress));
    if (req.method === 'POST') this.readRequest();
    else {
      this.requestReported();
      this.requestEnded();
    }
  }

  /** The upstream's response arrived: learn the session id it assigns and read its body. */
  response(res: IncomingMessage): void {
    const status = res.statusCode ?? 0;
    const assigned = header(res.headers, 'mcp-session-id');
    const ok = status >= 200 && status < 300;
    this.afterRequest(() => {
      if (this.provisional && this.http) {
        this.adopted = true;
        this.closeAfter = this.sessions.adopt(this.http, ok ? assigned : undefined, ok);
      }
      const deleted = this.req.method === 'DELETE' && ok;
      // 404 for a session id: the server no longer knows it (expired or restarted).
      if (this.sessionId && (deleted || status === 404)) this.endsSession = true;
    });
    const reader = this.responseReader(header(res.headers, 'content-type') ?? '');
    if (!reader) return;
    this.observe(res, reader);
  }

  /** The proxy answered in the upstream's place (it was unreachable): the client got `body`. */
  answered(body: unknown, size: number): void {
    this.afterRequest(() => this.target().session.outgoing(body, { size }));
  }

  /** The id of the single request in the body, once read: a 502 answers it by id. */
  get requestId(): string | number | undefined {
    return requestId(this.request);
  }

  /** The client's response is closed: settle the session once the bodies have been read. */
  finish(): void {
    this.requestEnded();
    Promise.all([this.requestRead, ...this.bodies]).then(() =>
      this.guard(() => {
        this.requestReported();
        const http = this.http;
        if (http) {
          http.open--;
          http.lastSeen = Date.now();
          // An initialize that never got a response it could adopt (upstream down) ends here too.
          if (this.closeAfter || (this.provisional && !this.adopted)) http.session.close();
        }
        if (this.endsSession && this.sessionId) this.sessions.end(this.sessionId);
      }),
    );
  }

  private readRequest(): void {
    const skipped = (bytes: number) =>
      this.guard(() => {
        this.skipped = true;
        this.target().session.unparsed(bytes);
      });
    const reader = new JsonBody((message, size) => this.guard(() => this.incoming(message, size)), skipped);
    const body = this.observe(this.req, reader, skipped);
    const ended = () =>
      body.done.then(() => this.guard(() => this.requestReported())).then(this.requestEnded);
    this.req.once('end', ended);
    // A request that never ends (the client went away) has nothing more to say.
    this.req.once('close', ended);
  }

  private incoming(message: unknown, size: number | undefined): void {
    this.request = message;
    if (this.sessionId) this.attach(this.sessions.named(this.sessionId, this.clientAddress));
    else if (hasInitialize(message)) {
      this.provisional = true;
      this.attach(this.sessions.provisional(this.clientAddress));
    } else if (message !== undefined) {
      // No session id (a stateless server, or 2026-07-28, which has none): this exchange is its own
      // session, so two clients that both number a request 1 are not mixed up.
      this.closeAfter = true;
      this.attach(this.sessions.exchange(this.clientAddress));
    }
    this.target().session.incoming(message, {
      size,
      clientAddress: this.clientAddress,
      clientPort: this.clientPort,
      forwardedFor: this.forwardedFor,
      protocolVersion: this.protocolVersion,
      // A labelled request began when its headers came, however long its body took.
      receivedAt: this.label ? this.arrived : undefined,
    });
  }

  /**
   * A request whose body the proxy could not read is still recorded, from its `Mcp-Method` and
   * `Mcp-Name` headers, when its response names its id.
   */
  private labelled(response: unknown): void {
    if (!this.label || !this.skipped || this.request !== undefined) return;
    const id = (response as { id?: unknown })?.id;
    if (typeof id !== 'string' && typeof id !== 'number') return;
    this.incoming(labelledRequest(this.label, id), undefined);
  }

  private responseReader(contentType: string): BodyReader | undefined {
    const unparsed = (bytes: number) => this.afterRequest(() => this.target().session.unparsed(bytes));
    if (contentType.startsWith('text/event-stream')) {
      return new SseParser((data) => {
        if (data.trim() === '') return; // a priming event (resumability) carries no message
        const size = Buffer.byteLength(data);
        const message = parseJsonRpc(data);
        if (message === undefined) unparsed(size);
        else this.afterRequest(() => this.answer(message, size));
      }, unparsed);
    }
    if (contentType.includes('json')) {
      return new JsonBody((message, size) => this.afterRequest(() => this.answer(message, size)), unparsed);
    }
    return undefined;
  }

  private answer(message: unknown, size: number): void {
    this.labelled(message);
    this.target().session.outgoing(message, { size });
  }

  /** Reads a copy of `stream` as it flows (listeners added after the relay's pipe). */
  private observe(
    stream: IncomingMessage,
    reader: BodyReader,
    skipped = (bytes: number) => this.guard(() => this.target().session.unparsed(bytes)),
  ): BodyObserver {
    const body = observeBody(header(stream.headers, 'content-encoding'), reader, skipped);
    stream.on('data', (chunk: Buffer) => this.guard(() => body.push(chunk)));
    // A stream the client or upstream cut off emits 'close' without 'end': end the body either way, once.
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.guard(() => body.end());
    };
    stream.once('end', end);
    stream.once('close', end);
    this.bodies.push(body.done);
    return body;
  }

  /** The session to report to: chosen by the request; requests without a session id share one. */
  private target(): HttpSession {
    if (this.http) return this.http;
    return this.attach(
      this.sessionId
        ? this.sessions.named(this.sessionId, this.clientAddress)
        : this.sessions.shared(this.clientAddress),
    );
  }

  private attach(http: HttpSession): HttpSession {
    if (this.http) return this.http;
    this.http = http;
    http.open++;
    http.lastSeen = Date.now();
    return http;
  }

  private afterRequest(report: () => void): void {
    if (this.waiting) this.waiting.push(report);
    else this.guard(report);
  }

  private requestReported(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    for (const report of waiting ?? []) this.guard(report);
  }
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
