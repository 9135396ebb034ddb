// Real Prometheus, node_exporter and promtool for test/e2e/prometheus.test.ts: start and stop them,
// wait for them, ask Prometheus's HTTP API.
import { type ChildProcess, execFile, spawn } from 'node:child_process';

import { freePort } from '../plugins/exporters/prometheus/helpers.js';

export { freePort };

/** Distinct free ports. */
export async function ports(count: number): Promise<number[]> {
  const found = new Set<number>();
  while (found.size < count) found.add(await freePort());
  return [...found];
}

/** A program the test started; `output` keeps the tail of its stderr/stdout for failure messages. */
export interface Daemon {
  name: string;
  child: ChildProcess;
  output: string[];
}

export function startDaemon(command: string, args: string[]): Daemon {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const daemon: Daemon = { name: command, child, output: [] };
  const keep = (chunk: Buffer) => {
    daemon.output.push(chunk.toString('utf8'));
    if (daemon.output.length > 50) daemon.output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (err) => daemon.output.push(`failed to start ${command}: ${err.message}`));
  return daemon;
}

/** Prometheus on `config`, keeping its data in `dataDir`, its API on 127.0.0.1:`port`. */
export function startPrometheus(config: string, dataDir: string, port: number): Daemon {
  return startDaemon('prometheus', [
    `--config.file=${config}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
}

/** SIGTERM, then SIGKILL if it has not exited within 5 s. */
export async function stopDaemon(daemon: Daemon): Promise<void> {
  const { child } = daemon;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Calls `read` every `intervalMs` until `done` holds for its value, for at most `timeoutMs`. Returns the
 * last value either way, so the caller's assertion shows what was there when time ran out.
 */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 25_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch((err: Error) => err as unknown as T);
    if ((!(value instanceof Error) && done(value)) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** GET a URL's JSON, with a short timeout. */
export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as T;
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query through Prometheus's HTTP API; the vector's samples. */
export async function query(prometheus: string, expr: string): Promise<Sample[]> {
  const body = await getJson<{
    status: string;
    error?: string;
    data?: { resultType: string; result: Sample[] };
  }>(`${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`);
  if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
  return body.data?.resultType === 'vector' ? (body.data.result ?? []) : [];
}

/** A sample's value as a number (Prometheus sends them as strings; NaN stays NaN). */
export const sampleValue = (sample: Sample) => Number(sample.value[1]);

/** Runs promtool; its exit code and everything it printed. */
export function promtool(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('promtool', args, { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, output: `${stdout}${stderr}` });
    });
  });
}
