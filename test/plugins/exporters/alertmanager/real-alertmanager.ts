// A real Alertmanager (Debian's /usr/bin/prometheus-alertmanager) on a loopback port, for the
// alertmanager exporter's tests and the alerting end-to-end test: start, stop, read its alerts.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Daemon, startDaemon, stopDaemon, until } from '../../../e2e/prometheus-helpers.js';

/** An alert as `GET /api/v2/alerts` shows it (the fields the tests read). */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  status: { state: string };
}

// Every alert goes to a receiver that notifies nobody: the tests read the API, not notifications.
const CONFIG = `route:
  receiver: nobody
receivers:
  - name: nobody
`;

/** HTTPS with this certificate and key (PEM files); with `clientCaFile`, clients must show a certificate it signed. */
export interface AlertmanagerTls {
  certFile: string;
  keyFile: string;
  clientCaFile?: string;
}

export class RealAlertmanager {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private daemon: Daemon,
    private readonly tls?: AlertmanagerTls,
  ) {}

  /** Starts one on 127.0.0.1:`port` with its own config and storage in a temp directory; resolves once ready. */
  static async start(port: number, tls?: AlertmanagerTls): Promise<RealAlertmanager> {
    const dir = await mkdtemp(join(tmpdir(), 'alertmanager-'));
    await writeFile(join(dir, 'alertmanager.yml'), CONFIG);
    if (tls) await writeFile(join(dir, 'web.yml'), webConfig(tls));
    const alertmanager = new RealAlertmanager(
      port,
      dir,
      spawnAlertmanager(dir, port, tls !== undefined),
      tls,
    );
    await alertmanager.ready();
    return alertmanager;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** The alerts it holds: active ones (resolved alerts leave this list). */
  async alerts(): Promise<GettableAlert[]> {
    return JSON.parse(await this.get('/api/v2/alerts')) as GettableAlert[];
  }

  /** A GET of its API; over HTTPS trusting its certificate and showing it as the client's. */
  private async get(path: string): Promise<string> {
    if (!this.tls) {
      const res = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`);
      return res.text();
    }
    const [ca, key] = await Promise.all([readFile(this.tls.certFile), readFile(this.tls.keyFile)]);
    return new Promise((resolve, reject) => {
      const req = request(`${this.url}${path}`, { ca, cert: ca, key, timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(body)
            : reject(new Error(`GET ${path} answered ${res.statusCode}`)),
        );
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
      req.end();
    });
  }

  /** Polls its alerts until `done` holds or `timeoutMs` passes; returns the last list either way. */
  alertsUntil(done: (alerts: GettableAlert[]) => boolean, timeoutMs = 25_000): Promise<GettableAlert[]> {
    return until(() => this.alerts(), done, timeoutMs);
  }

  /** Stops the process, keeping its directory, so restart() brings it back on the same port. */
  async stop(): Promise<void> {
    await stopDaemon(this.daemon);
  }

  async restart(): Promise<void> {
    this.daemon = spawnAlertmanager(this.dir, this.port, this.tls !== undefined);
    await this.ready();
  }

  async close(): Promise<void> {
    await stopDaemon(this.daemon);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async ready(): Promise<void> {
    const ready = await until(
      () => this.get('/-/ready').then(() => true),
      (ok) => ok === true,
    );
    if (ready !== true) throw new Error(`alertmanager did not start:\n${this.daemon.output.join('')}`);
  }
}

/** Alertmanager's --web.config.file (Prometheus's exporter-toolkit): TLS, and client certificates when asked. */
function webConfig(tls: AlertmanagerTls): string {
  const clientAuth = tls.clientCaFile
    ? `\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${tls.clientCaFile}`
    : '';
  return `tls_server_config:\n  cert_file: ${tls.certFile}\n  key_file: ${tls.keyFile}${clientAuth}\n`;
}

function spawnAlertmanager(dir: string, port: number, tls: boolean): Daemon {
  return startDaemon('prometheus-alertmanager', [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...(tls ? [`--web.config.file=${join(dir, 'web.yml')}`] : []),
    // No cluster: it would listen on 0.0.0.0:9094 and wait for peers.
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
}
