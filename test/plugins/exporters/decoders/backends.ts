import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { gunzipSync } from 'node:zlib';

/** One request as a backend received it. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, e.g. `/v1/traces`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as it came over the wire. */
  raw: Buffer;
  /** The body after `Content-Encoding: gzip` was undone. */
  body: Buffer;
  /** performance.now() when the request had arrived whole. */
  at: number;
  /** Over HTTPS, the common name of the client's certificate, when it showed one. */
  clientCertificate?: string;
}

/** How the backend answers a request; `hang` never answers (until the backend closes). */
export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string | Buffer }
  | { hang: true };

/** A 200 with the empty export response of the request's encoding, as an OTLP receiver answers. */
export function ok(request: ReceivedRequest): Reply {
  const json = request.headers['content-type'] === 'application/json';
  return json
    ? { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }
    : { status: 200, headers: { 'content-type': 'application/x-protobuf' } };
}

/**
 * A stand-in for an OTLP/HTTP receiver on 127.0.0.1, over HTTP or (given `tls`) HTTPS: it records
 * every request and answers as `reply` says (by default 200 with an empty export response).
 */
export class HttpBackend {
  readonly requests: ReceivedRequest[] = [];
  reply: (request: ReceivedRequest, index: number) => Reply = ok;
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly secure: boolean,
  ) {}

  /** Listens on 127.0.0.1, on `port` or any free one; with `tls`, over HTTPS. */
  static async start(port = 0, tls?: ServerOptions): Promise<HttpBackend> {
    const server = tls ? createHttpsServer(tls) : createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const backend = new HttpBackend(server, (server.address() as AddressInfo).port, tls !== undefined);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        const request: ReceivedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          raw,
          body,
          at: performance.now(),
        };
        const peer = tls ? (req.socket as TLSSocket).getPeerCertificate() : undefined;
        if (peer?.subject) request.clientCertificate = String(peer.subject.CN);
        backend.receive(request, res);
      });
    });
    return backend;
  }

  get url(): string {
    return `${this.secure ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** Resolves once `count` requests in all have arrived. */
  received(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(request: ReceivedRequest, res: ServerResponse) {
    const index = this.requests.push(request) - 1;
    const reply = this.reply(request, index);
    if ('hang' in reply) this.hanging.add(res);
    else res.writeHead(reply.status, reply.headers).end(reply.body);
    for (const waiter of this.waiters.filter((w) => this.requests.length >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

/** A port that nothing listens on (it was free a moment ago): a backend that is down. */
export async function closedPort(): Promise<number> {
  const backend = await HttpBackend.start();
  await backend.close();
  return backend.port;
}
