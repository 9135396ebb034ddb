import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ComponentKind } from '../component.js';
import { TributaryError } from '../errors.js';
import { authorizer, readServerTls, type ServerSecurity } from './security.js';
import { closeServer } from './server.js';

export interface HttpListenerOptions {
  host: string;
  port: number;
  /** The config key of the endpoint (`exporters.prometheus.endpoint`): listen errors point at it. */
  endpointPath: string;
  /** Its kind names its listen failures: TRB_<KIND>_PORT_IN_USE, TRB_<KIND>_LISTEN_FAILED. */
  kind: ComponentKind;
  /** Errors after listening (a response that could not be written...). */
  onError(err: Error): void;
  /** TLS and auth, as the component's config says (`tls`, `auth` beside its endpoint). */
  security?: ServerSecurity;
}

/** The URL of `path` on a bound address, an IPv6 host in brackets (`http://[::1]:9464/metrics`). */
export function urlOf(address: AddressInfo, path: string, secure = false): string {
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return `${secure ? 'https' : 'http'}://${host}:${address.port}${path}`;
}

/** An HTTP server a component opens in start() and closes in shutdown(), with located listen errors. */
export class HttpListener {
  private server?: Server;

  constructor(
    private readonly options: HttpListenerOptions,
    private readonly handle: RequestListener,
  ) {}

  /** The bound address (the real port when 0 was configured); undefined before listen(). */
  get address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  /** The URL of `path` here, https when it serves TLS; undefined before listen(). */
  url(path: string): string | undefined {
    const address = this.address;
    return address && urlOf(address, path, this.options.security?.tls !== undefined);
  }

  /** Binds host:port; a failure is a TributaryError saying where and what to do. */
  async listen(): Promise<void> {
    const { host, port, endpointPath, kind, security } = this.options;
    const parent = endpointPath.slice(0, endpointPath.lastIndexOf('.'));
    const authorized = security?.auth && authorizer(security.auth);
    const handle: RequestListener = authorized
      ? (req, res) => {
          if (authorized(req, res)) this.handle(req, res);
        }
      : this.handle;
    const server = security?.tls
      ? createHttpsServer(await readServerTls(security.tls, kind, parent), handle)
      : createServer(handle);
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        this.server = undefined;
        const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
        const inUse = err.code === 'EADDRINUSE';
        reject(
          new TributaryError(
            `TRB_${kind.toUpperCase()}_${inUse ? 'PORT_IN_USE' : 'LISTEN_FAILED'}`,
            `cannot listen on ${where}: ${inUse ? 'the address is already in use' : (err.code ?? err.message)}`,
            { path: endpointPath },
            inUse
              ? `stop the process listening there, or set ${endpointPath} to a free host:port`
              : `set ${endpointPath} to an address of this machine and a port you may open`,
          ),
        );
      });
      server.listen(port, host, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => this.options.onError(err));
        resolve();
      });
    });
  }

  /** Stops listening; requests in flight get a grace to be answered (see closeServer), then every connection closes. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeServer(server);
  }
}
