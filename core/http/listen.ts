import type { Server } from 'node:http';
import type { ComponentKind } from '../component.js';
import { TributaryError } from '../errors.js';

/** The component that listens, to name in its errors: `exporters.prometheus.endpoint`. */
export interface Listener {
  kind: ComponentKind;
  id: string;
  /** Where the endpoint is in the component's config; default `endpoint`. */
  key?: string;
}

/**
 * Starts `server` on `host:port`. A port in use or an address it may not bind rejects with a
 * TRB_<KIND>_PORT_IN_USE / TRB_<KIND>_LISTEN_FAILED error naming the config key to change; errors
 * after that go to `onError`.
 */
export function listen(
  server: Server,
  endpoint: { host: string; port: number },
  listener: Listener,
  onError: (err: Error) => void,
): Promise<void> {
  const { host, port } = endpoint;
  const key = `${listener.kind}s.${listener.id}.${listener.key ?? 'endpoint'}`;
  const code = `TRB_${listener.kind.toUpperCase()}`;
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      reject(
        err.code === 'EADDRINUSE'
          ? new TributaryError(
              `${code}_PORT_IN_USE`,
              `cannot listen on ${where}: the address is already in use`,
              { path: key },
              `stop the process listening there, or set ${key} to a free host:port`,
            )
          : new TributaryError(
              `${code}_LISTEN_FAILED`,
              `cannot listen on ${where}: ${err.code ?? err.message}`,
              { path: key },
              `set ${key} to an address of this machine and a port you may open`,
            ),
      );
    });
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      server.on('error', onError);
      resolve();
    });
  });
}

/** Stops listening and closes every connection, idle keep-alive ones included. */
export function close(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}
