import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Extension, Host } from '../../../core/component.js';
import { HttpListener } from '../../../core/http/listen.js';
import type { CreateContext } from '../../../core/plugin.js';
import { announce, EngineStatus } from '../../../core/status.js';
import type { HealthCheckConfig } from './config.js';
import { health, notReady } from './probes.js';

/** GET /health (liveness) and GET /ready (readiness) from the engine's own status, as the guide serves them. */
export class HealthCheckExtension implements Extension {
  private readonly status: EngineStatus;
  private readonly listener: HttpListener;

  constructor(private readonly ctx: CreateContext<HealthCheckConfig>) {
    this.status = ctx.container.resolve(EngineStatus);
    const { host, port } = ctx.config.endpoint;
    this.listener = new HttpListener(
      {
        host,
        port,
        endpointPath: `extensions.${ctx.id}.endpoint`,
        kind: 'extension',
        onError: (err) => ctx.logger.warn({ err: err.message }, 'the health check endpoint failed to answer'),
        security: ctx.config,
      },
      (req, res) => this.handle(req, res),
    );
  }

  /** Where it listens (the real port when the config said 0); undefined until started. */
  get address(): AddressInfo | undefined {
    return this.listener.address;
  }

  async start(_host: Host): Promise<void> {
    await this.listener.listen();
    const url = this.listener.url('/health') as string;
    // The engine's ready line names it, with every other place to look.
    this.ctx.logger.debug({ url }, 'serving /health and /ready');
    announce(this.ctx.container, this.ctx.id, 'health', url);
  }

  shutdown(): Promise<void> {
    return this.listener.close();
  }

  /** Answers a request; exposed so an embedding app can serve the probes on its own port too. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const [code, body, extra] = this.answer((req.url ?? '/').split('?')[0], req.method);
    const text = JSON.stringify(body);
    res.writeHead(code, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
      ...extra,
    });
    res.end(req.method === 'HEAD' ? undefined : text);
  }

  private answer(path: string | undefined, method: string | undefined): [number, object, object?] {
    if (path !== '/health' && path !== '/ready')
      return [404, { error: 'not found: the probes are /health and /ready' }];
    if (method !== 'GET' && method !== 'HEAD')
      return [405, { error: 'method not allowed: use GET or HEAD' }, { allow: 'GET, HEAD' }];
    if (path === '/health') return [200, health(this.status, this.ctx.config.version)];
    const error = notReady(this.status, this.ctx.config.check_exporters);
    return error === undefined ? [200, { status: 'ready' }] : [503, { status: 'not ready', error }];
  }
}
