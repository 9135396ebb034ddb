// A real Alertmanager (Debian's /usr/bin/prometheus-alertmanager) on a loopback port, for the
// alertmanager exporter's tests and the alerting end-to-end test: start, stop, read its alerts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

export class RealAlertmanager {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private daemon: Daemon,
  ) {}

  /** Starts one on 127.0.0.1:`port` with its own config and storage in a temp directory; resolves once ready. */
  static async start(port: number): Promise<RealAlertmanager> {
    const dir = await mkdtemp(join(tmpdir(), 'alertmanager-'));
    await writeFile(join(dir, 'alertmanager.yml'), CONFIG);
    const alertmanager = new RealAlertmanager(port, dir, spawnAlertmanager(dir, port));
    await alertmanager.ready();
    return alertmanager;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The alerts it holds: active ones (resolved alerts leave this list). */
  async alerts(): Promise<GettableAlert[]> {
    const res = await fetch(`${this.url}/api/v2/alerts`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`GET /api/v2/alerts answered ${res.status}`);
    return (await res.json()) as GettableAlert[];
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
    this.daemon = spawnAlertmanager(this.dir, this.port);
    await this.ready();
  }

  async close(): Promise<void> {
    await stopDaemon(this.daemon);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async ready(): Promise<void> {
    const ready = await until(
      () => fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok),
      (ok) => ok === true,
    );
    if (ready !== true) throw new Error(`alertmanager did not start:\n${this.daemon.output.join('')}`);
  }
}

function spawnAlertmanager(dir: string, port: number): Daemon {
  return startDaemon('prometheus-alertmanager', [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // No cluster: it would listen on 0.0.0.0:9094 and wait for peers.
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
}
