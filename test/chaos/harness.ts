// Fault scenarios on loopback: a real `tributary` process (the built CLI) between a client that sends
// OTLP/HTTP spans, each with a name of its own, and a backend that fails as the scenario says. What
// went in is what the engine answered 200 for; what came out is what the backend answered 2xx for,
// read with the independent protobufjs decoder. Each scenario prints both and asserts them.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll } from 'vitest';
import { freePort } from '../../core/testing/index.js';
import { decodeOtlp, spansOf } from '../plugins/exporters/decoders/otlp.js';

const CLI = join(import.meta.dirname, '../../dist/cli.js');
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How the backend answers one request: a status after an optional delay. */
export interface Answer {
  status: number;
  delayMs?: number;
}

/** The backend: an OTLP/HTTP endpoint that answers as `policy` says and counts the spans it took. */
export class FaultyBackend {
  /** Span name -> how many times it was delivered (answered 2xx). */
  readonly delivered = new Map<string, number>();
  /** Requests answered with a failure, by status. */
  readonly failures = new Map<number, number>();
  /** Spans in requests answered with a failure (the engine may retry them, or drop and count them). */
  readonly refused = new Set<string>();
  policy: () => Answer = () => ({ status: 200 });
  private server?: Server;

  private constructor(readonly port: number) {}

  /** A backend on a free port, down until start(). */
  static async create(): Promise<FaultyBackend> {
    return new FaultyBackend(await freePort());
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const answer = this.policy();
        if (answer.delayMs) await sleep(answer.delayMs);
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        const names = spansOf(decodeOtlp('traces', body, String(req.headers['content-type']))).map(
          (s) => s.name,
        );
        if (answer.status >= 200 && answer.status < 300) {
          for (const name of names) this.delivered.set(name, (this.delivered.get(name) ?? 0) + 1);
        } else {
          this.failures.set(answer.status, (this.failures.get(answer.status) ?? 0) + 1);
          for (const name of names) this.refused.add(name);
        }
        if (res.destroyed) return;
        const json = req.headers['content-type'] === 'application/json';
        res.writeHead(answer.status, { 'content-type': String(req.headers['content-type']) });
        res.end(json ? '{}' : undefined);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Deliveries beyond the first of a span. */
  duplicates(): number {
    let n = 0;
    for (const count of this.delivered.values()) n += count - 1;
    return n;
  }
}

/** A `tributary` process on a config of its own, with its stderr kept for the report. */
export class EngineProcess {
  stderr = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    /** The config file it runs: write another and send SIGHUP to reload. */
    readonly configPath: string,
  ) {
    child.stderr?.on('data', (c: Buffer) => {
      this.stderr += c.toString();
      if (this.stderr.length > 200_000) this.stderr = this.stderr.slice(-100_000);
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts the CLI on `yaml` and waits until `port` takes connections. */
  static async start(yaml: string, port: number): Promise<EngineProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'trb-chaos-'));
    const config = join(dir, 'config.yaml');
    await writeFile(config, yaml);
    const engine = new EngineProcess(
      spawn(process.execPath, [CLI, '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] }),
      config,
    );
    for (let i = 0; i < 200; i++) {
      if (
        await post(port, '/', Buffer.alloc(0)).then(
          () => true,
          () => false,
        )
      )
        return engine;
      await sleep(50);
    }
    engine.child.kill('SIGKILL');
    throw new Error(`the engine did not listen on ${port}: ${engine.stderr}`);
  }

  /** The most memory the process has held (VmHWM), MiB; Linux only. */
  peakRssMiB(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}

function post(port: number, path: string, body: Buffer): Promise<{ status: number; retryAfterS: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, retryAfterS: Number(res.headers['retry-after'] ?? 0) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** One OTLP/JSON request of `count` spans named `prefix-0` ... */
function spansRequest(prefix: string, count: number, seq: number): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId: (seq + 1).toString(16).padStart(32, '0'),
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: `${prefix}-${i}`,
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
  }));
  return Buffer.from(
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'chaos' } }] },
          scopeSpans: [{ scope: { name: 'chaos' }, spans }],
        },
      ],
    }),
  );
}

/**
 * A client that sends spans at about `perSecond` as an OTLP exporter would: each request until the
 * engine takes it, waiting Retry-After (at most 2 s) after a 429 or 503. A request the engine never
 * answered 200 (it stopped) is not in.
 */
export class SpanSource {
  /** Names the engine answered 200 for. */
  readonly accepted = new Set<string>();
  /** Answers other than 200 (pushed back), by status; connection errors as 0. */
  readonly pushedBack = new Map<number, number>();
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private seq = 0;

  constructor(
    private readonly port: number,
    perSecond: number,
    private readonly spansPerRequest = 50,
    senders = 4,
  ) {
    const interval = (1000 * spansPerRequest * senders) / perSecond;
    for (let i = 0; i < senders; i++) this.loops.push(this.loop(interval));
  }

  /** Stops sending and waits for the requests in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(intervalMs: number): Promise<void> {
    while (this.running) {
      const started = Date.now();
      const seq = this.seq++;
      const prefix = `r${seq}`;
      const body = spansRequest(prefix, this.spansPerRequest, seq);
      for (;;) {
        const answer = await post(this.port, '/v1/traces', body).catch(() => ({ status: 0, retryAfterS: 0 }));
        if (answer.status === 200) {
          for (let i = 0; i < this.spansPerRequest; i++) this.accepted.add(`${prefix}-${i}`);
          break;
        }
        this.pushedBack.set(answer.status, (this.pushedBack.get(answer.status) ?? 0) + 1);
        // Connection refused: the engine is gone; anything else: it asked to come back later.
        if (answer.status === 0 || !this.running) break;
        await sleep(Math.min(2000, Math.max(100, answer.retryAfterS * 1000)));
      }
      await sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
  }
}

/** Polls until every accepted span was delivered, or `timeoutMs` passed. */
export async function drained(source: SpanSource, backend: FaultyBackend, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ([...source.accepted].every((name) => backend.delivered.has(name))) return;
    await sleep(200);
  }
}

/** What went in and what came out, printed for the scenario. */
export function report(scenario: string, source: SpanSource, backend: FaultyBackend, extra = '') {
  const missing = [...source.accepted].filter((name) => !backend.delivered.has(name)).length;
  const unexpected = [...backend.delivered.keys()].filter((name) => !source.accepted.has(name)).length;
  const line = [
    `chaos ${scenario}: in ${source.accepted.size} spans, out ${backend.delivered.size} (missing ${missing},`,
    `not sent by us ${unexpected}, duplicates ${backend.duplicates()});`,
    `pushed back ${JSON.stringify(Object.fromEntries(source.pushedBack))};`,
    `backend failures ${JSON.stringify(Object.fromEntries(backend.failures))}${extra ? `; ${extra}` : ''}`,
  ].join(' ');
  console.log(line);
  return { missing, unexpected, duplicates: backend.duplicates() };
}

export interface EnginePorts {
  /** The otlp receiver's. */
  receiver: number;
  /** The prometheus exporter's, serving the engine's own metrics. */
  metrics: number;
}

export async function enginePorts(): Promise<EnginePorts> {
  return { receiver: await freePort(), metrics: await freePort() };
}

/** The sum of an engine's own counter over its series for `component`, scraped from its prometheus exporter. */
export async function selfCounter(ports: EnginePorts, name: string, component: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${ports.metrics}/metrics`);
  let sum = 0;
  for (const line of (await res.text()).split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (m?.[1] === name && m[2]?.includes(`component="${component}"`)) sum += Number(m[3]);
  }
  return sum;
}

/** An engine config: otlp receiver -> memory_limiter -> batch -> otlp exporter to `backend`. */
export function pipelineYaml(ports: EnginePorts, backend: FaultyBackend, exporterExtra = ''): string {
  const { receiver: receiverPort, metrics: metricsPort } = ports;
  return `receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${receiverPort}" } } }
  selftelemetry: { collection_interval: 1s }
processors:
  memory_limiter: { limit_mib: 200, check_interval: 100ms }
  batch: { send_batch_size: 500, timeout: 100ms }
exporters:
  otlp:
    endpoint: ${backend.url}
    encoding: proto
    timeout: 5s
    retry_on_failure: { initial_interval: 100ms, max_interval: 1s, max_elapsed_time: 0 }
    sending_queue: { queue_size: 50, num_consumers: 4 }
${exporterExtra}
  prometheus: { endpoint: "127.0.0.1:${metricsPort}" }
service:
  telemetry: { logs: { level: warn } }
  pipelines:
    traces: { receivers: [otlp], processors: [memory_limiter, batch], exporters: [otlp] }
    metrics: { receivers: [selftelemetry], exporters: [prometheus] }
`;
}

/** What a scenario runs with: the backend, the engine between it and the client, and its ports. */
export interface Scenario {
  backend: FaultyBackend;
  engine: EngineProcess;
  ports: EnginePorts;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const stop of cleanups.splice(0).reverse()) await stop();
});

/** Stops `stop` once the file's tests are done (last added, first stopped). */
export function cleanup(stop: () => Promise<unknown>): void {
  cleanups.push(stop);
}

/**
 * A backend answering as `policy` says (up unless `down`), and an engine on pipelineYaml() sending to
 * it; both stopped after the file's tests.
 */
export async function scenario(
  options: {
    policy?: () => Answer;
    down?: boolean;
    yaml?: (ports: EnginePorts, backend: FaultyBackend) => string;
  } = {},
): Promise<Scenario> {
  const backend = await FaultyBackend.create();
  if (options.policy) backend.policy = options.policy;
  if (!options.down) await backend.start();
  cleanup(() => backend.stop());
  const ports = await enginePorts();
  const engine = await EngineProcess.start((options.yaml ?? pipelineYaml)(ports, backend), ports.receiver);
  cleanup(() => engine.kill('SIGKILL'));
  return { backend, engine, ports };
}
