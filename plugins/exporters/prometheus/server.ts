import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzip } from 'node:zlib';
import { HttpListener } from '../../../core/http/listen.js';
import type { ServerSecurity } from '../../../core/http/security.js';
import { answerText } from '../../../core/http/server.js';
import { acceptsGzip, negotiateFormat } from './negotiate.js';
import { CONTENT_TYPES, type Format } from './serialize.js';

export interface ScrapeHandler {
  /** Brings the metrics up to date before each scrape; never rejects. */
  refresh?(): Promise<void>;
  /** The exposition in `format`, as of now. */
  scrape(format: Format): Buffer;
  /** Called once per scrape answered, for self-telemetry. */
  served?(format: Format): void;
}

export interface ScrapeServerOptions {
  host: string;
  port: number;
  path: string;
  openMetrics: boolean;
  /** The exporter's id, for errors that point at its config. */
  id: string;
  /** Logs a response that could not be written (the client went away mid-gzip, ...). */
  onError(err: Error): void;
  security?: ServerSecurity;
}

/** The pull endpoint: GET and HEAD on `path` (405 for other methods), a short help page on `/`, 404 elsewhere. */
export class ScrapeServer {
  private readonly listener: HttpListener;

  constructor(
    private readonly options: ScrapeServerOptions,
    private readonly handler: ScrapeHandler,
  ) {
    const { host, port, id, onError, security } = options;
    this.listener = new HttpListener(
      { host, port, endpointPath: `exporters.${id}.endpoint`, kind: 'exporter', onError, security },
      (req, res) => this.handle(req, res),
    );
  }

  /** The bound address (the real port when 0 was configured); undefined before listen(). */
  get address(): AddressInfo | undefined {
    return this.listener.address;
  }

  /** The URL of `path` here (https when it serves TLS); undefined before listen(). */
  url(path: string): string | undefined {
    return this.listener.url(path);
  }

  listen(): Promise<void> {
    return this.listener.listen();
  }

  /** Stops listening and closes every connection, idle keep-alive ones included. */
  close(): Promise<void> {
    return this.listener.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const readable = req.method === 'GET' || req.method === 'HEAD';
    if (path === this.options.path && readable) {
      const refreshed = this.handler.refresh?.();
      if (refreshed) void refreshed.then(() => this.serveMetrics(req, res));
      else this.serveMetrics(req, res);
    } else if (path === this.options.path) {
      answerText(res, 405, 'method not allowed: use GET or HEAD\n', { allow: 'GET, HEAD' });
    } else if (path === '/' && readable) {
      const formats = this.options.openMetrics
        ? 'text format 0.0.4, or OpenMetrics 1.0 by Accept'
        : 'text format 0.0.4';
      answerText(res, 200, `Tributary Prometheus exporter\n\nMetrics: ${this.options.path} (${formats})\n`);
    } else answerText(res, 404, `not found: metrics are at ${this.options.path}\n`);
  }

  private serveMetrics(req: IncomingMessage, res: ServerResponse): void {
    const format = negotiateFormat(req.headers.accept, this.options.openMetrics);
    let body: Buffer;
    try {
      body = this.handler.scrape(format);
    } catch (err) {
      this.options.onError(err as Error);
      answerText(res, 500, 'the exporter failed to render its metrics; see its log\n');
      return;
    }
    this.handler.served?.(format);
    const headers = { 'content-type': CONTENT_TYPES[format], vary: 'Accept, Accept-Encoding' };
    if (!acceptsGzip(req.headers['accept-encoding'])) {
      res.writeHead(200, { ...headers, 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    gzip(body, (err, zipped) => {
      if (err) {
        this.options.onError(err);
        answerText(res, 500, 'the exporter failed to compress its metrics\n');
        return;
      }
      res.writeHead(200, { ...headers, 'content-encoding': 'gzip', 'content-length': zipped.length });
      res.end(req.method === 'HEAD' ? undefined : zipped);
    });
  }
}
