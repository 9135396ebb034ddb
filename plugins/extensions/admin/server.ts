import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpListener } from '../../../core/http/listen.js';
import type { ServerSecurity } from '../../../core/http/security.js';

export type Answer = { status?: number; type: 'html' | 'json' | 'js' | 'svg' | 'text'; body: string };
export type Route = (path: string) => Promise<Answer> | undefined;

const TYPES: Record<Answer['type'], string> = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  text: 'text/plain; charset=utf-8',
};
/** The page runs only its own script, loads nothing from elsewhere, and is never framed. */
const HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i;
const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

/**
 * The admin site's HTTP server: GET and HEAD only. Bound to a loopback address, it answers only
 * requests addressed to a loopback name, so a web page elsewhere cannot read it by DNS rebinding.
 */
export class AdminServer {
  readonly listener: HttpListener;

  constructor(
    private readonly options: {
      host: string;
      port: number;
      id: string;
      onError(err: Error): void;
      security?: ServerSecurity;
    },
    private readonly route: Route,
  ) {
    const { host, port, id, onError, security } = options;
    this.listener = new HttpListener(
      { host, port, endpointPath: `extensions.${id}.endpoint`, kind: 'extension', onError, security },
      (req, res) => void this.handle(req, res),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (isLoopback(this.options.host) && !LOOPBACK_HOST.test(req.headers.host ?? ''))
      return send(req, res, {
        status: 421,
        type: 'text',
        body: 'the admin page answers only to localhost\n',
      });
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(req, res, { status: 405, type: 'text', body: 'method not allowed: use GET or HEAD\n' });
    const answer = this.route(path);
    if (!answer)
      return send(req, res, {
        status: 404,
        type: 'text',
        body: `not found: ${path}\nthe status page is at /\n`,
      });
    try {
      send(req, res, await answer);
    } catch (err) {
      this.options.onError(err as Error);
      send(req, res, {
        status: 500,
        type: 'text',
        body: 'the admin page failed to render this; see the engine log\n',
      });
    }
  }
}

function send(req: IncomingMessage, res: ServerResponse, answer: Answer): void {
  const body = Buffer.from(answer.body);
  const extra = answer.status === 405 ? { allow: 'GET, HEAD' } : {};
  res.writeHead(answer.status ?? 200, {
    ...HEADERS,
    ...extra,
    'content-type': TYPES[answer.type],
    'content-length': body.length,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
