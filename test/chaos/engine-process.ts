import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { decodeRequest } from '../../core/otlp/decode/convert.js';
import { encodeRequest } from '../../core/otlp/encode.js';

/** The CLI as built into this checkout's dist/ (`npm run build`), run as users run it. */
const CLI = join(import.meta.dirname, '../../dist/cli.js');

/** `tributary run --config <config>` in a child process, with its stderr kept line by line. */
export class EngineProcess {
  readonly lines: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private partial = '';

  constructor(config: string) {
    this.child = spawn(process.execPath, [CLI, 'run', '--config', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const text = this.partial + chunk;
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      this.lines.push(...lines);
    });
  }

  /** Waits for a stderr line matching `pattern` (or for the process to exit, which fails). */
  async waitFor(pattern: RegExp): Promise<string> {
    for (;;) {
      const line = this.lines.find((l) => pattern.test(l));
      if (line) return line;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`the engine exited before logging ${pattern}:\n${this.lines.join('\n')}`);
      }
      await pause(20);
    }
  }

  ready(): Promise<string> {
    return this.waitFor(/Everything is ready/);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}

/** A loopback OTLP/HTTP traces backend that keeps the name of every span it was sent, duplicates included. */
export class SpanSink {
  readonly names: string[] = [];
  private server?: Server;

  async listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const proto = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
        const spans = decodeRequest('traces', 'proto', proto).items as ReadableSpan[];
        for (const span of spans) this.names.push(span.name);
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    this.server = server;
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
}

/** POSTs the spans to an OTLP/HTTP receiver as protobuf: the HTTP status, or 0 when no answer came. */
export function postSpans(port: number, spans: ReadableSpan[]): Promise<{ status: number; body: string }> {
  const body = Buffer.from(encodeRequest('traces', 'proto', spans));
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/traces',
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }),
        );
        res.on('error', () => resolve({ status: 0, body: '' }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(body);
  });
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `done()` holds; the test's own timeout bounds it. */
export async function until(done: () => boolean): Promise<void> {
  while (!done()) await pause(20);
}
