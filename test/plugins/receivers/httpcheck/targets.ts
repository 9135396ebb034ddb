// Local HTTP and HTTPS servers that answer as the targets of the httpcheck tests: 200, 500, one that
// never answers, a body that does not say "healthy", and a self-signed https one.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { freePort } from '../../../../core/testing/ports.js';

export const TLS_DIR = join(import.meta.dirname, '../../../fixtures/tls');
export const CERT_FILE = join(TLS_DIR, 'localhost.crt');
const KEY_FILE = join(TLS_DIR, 'localhost.key');

export interface Targets {
  /** By path (a query string is ignored): `/ok` 200 "healthy", `/error` 500, `/hang` never answers, `/unhealthy` 200 "degraded",
   * `/utf8` 200 "état : sain ✓", `/long` 200 4 KiB of x then "END". */
  http: string;
  /** The self-signed https server: `/ok` 200 "healthy". */
  https: string;
  /** A loopback port nothing listens on. */
  refused: string;
  close(): Promise<void>;
}

/** Answers by path; a query string only makes URLs (and so series) distinct. */
function answer(url: string | undefined, res: ServerResponse): void {
  const path = (url ?? '').split('?')[0];
  if (path === '/hang') return; // holds the request until the server closes
  const [status, body] =
    path === '/ok'
      ? [200, 'status: healthy']
      : path === '/unhealthy'
        ? [200, 'status: degraded']
        : path === '/utf8'
          ? [200, 'état : sain ✓']
          : path === '/long'
            ? [200, `${'x'.repeat(4096)}END`]
            : [500, 'error'];
  res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function startTargets(): Promise<Targets> {
  const sockets = new Set<Socket>();
  const track = (server: Server) =>
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
  const http = track(createHttpServer((req, res) => answer(req.url, res)));
  const https = track(
    createHttpsServer({ cert: readFileSync(CERT_FILE), key: readFileSync(KEY_FILE) }, (req, res) =>
      answer(req.url, res),
    ) as unknown as Server,
  );
  const [httpPort, httpsPort, refusedPort] = [await listen(http), await listen(https), await freePort()];
  return {
    http: `http://127.0.0.1:${httpPort}`,
    https: `https://127.0.0.1:${httpsPort}`,
    refused: `http://127.0.0.1:${refusedPort}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([http, https].map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}

export interface Point {
  value: number;
  attributes: Record<string, unknown>;
}

/** The points of metric `name` in the metrics a sink received, newest batch last. */
export function pointsOf(metrics: ResourceMetrics[], name: string): Point[] {
  return metrics.flatMap((rm) =>
    rm.scopeMetrics.flatMap((sm) =>
      sm.metrics
        .filter((m) => m.descriptor.name === name)
        .flatMap((m) => m.dataPoints.map((p) => ({ value: p.value as number, attributes: p.attributes }))),
    ),
  );
}
