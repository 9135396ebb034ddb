// Done when (issue 8): `/ready` turns 503 while an exporter's endpoint is down and 200 again after it
// returns. A real `tributary run` process sends its own metrics over OTLP/HTTP to a loopback server
// that the test stops and starts again on the same port.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../core/testing/index.js';
import { HttpBackend } from '../plugins/exporters/decoders/backends.js';

const CLI = join(import.meta.dirname, '../../dist/cli.js');

let dir: string;
let child: ChildProcess | undefined;
let backend: HttpBackend | undefined;
let backendPort: number;
let healthPort: number;
let stderr = '';

async function ready(): Promise<{ status: number; body: { status: string; error?: string } }> {
  const res = await fetch(`http://127.0.0.1:${healthPort}/ready`);
  return { status: res.status, body: (await res.json()) as { status: string; error?: string } };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trb-health-check-'));
  backend = await HttpBackend.start();
  backendPort = backend.port;
  healthPort = await freePort();
  const config = join(dir, 'pipeline.yaml');
  await writeFile(
    config,
    `
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
receivers:
  selftelemetry: { collection_interval: 200ms }
exporters:
  otlp:
    endpoint: http://127.0.0.1:${backendPort}
    timeout: 2s
    retry_on_failure: { initial_interval: 100ms, max_interval: 200ms }
service:
  extensions: [health_check]
  pipelines:
    metrics: { receivers: [selftelemetry], exporters: [otlp] }
`,
  );
  child = spawn(process.execPath, [CLI, 'run', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d) => (stderr += d));
  await vi.waitFor(() => expect(stderr).toContain('Everything is ready'), { timeout: 15_000, interval: 50 });
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.on('exit', resolve));
    child.kill('SIGINT');
    await exited;
  }
  await backend?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('health_check on a running engine whose otlp exporter loses its backend', () => {
  it('answers ready while sends succeed, 503 naming the exporter while its endpoint is down, ready again after', async () => {
    await backend?.received(1);
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready' } });

    await backend?.close();
    backend = undefined;
    await expect.poll(() => ready(), { timeout: 15_000 }).toMatchObject({ status: 503 });
    const down = await ready();
    expect(down.body.status).toBe('not ready');
    expect(down.body.error).toMatch(
      new RegExp(
        `^exporter "otlp" is failing: http://127\\.0\\.0\\.1:${backendPort}/v1/metrics: .*ECONNREFUSED`,
      ),
    );
    // Liveness is not readiness: the process is fine, only its backend is not.
    const health = await fetch(`http://127.0.0.1:${healthPort}/health`);
    expect(health.status).toBe(200);

    backend = await HttpBackend.start(backendPort);
    await expect.poll(() => ready(), { timeout: 15_000 }).toEqual({ status: 200, body: { status: 'ready' } });
    expect(backend.requests.length).toBeGreaterThan(0);
    expect(backend.requests[0]?.path).toBe('/v1/metrics');
    expect(stderr).toContain('sends succeed again');
  });
});
