// Any body to the OTLP/HTTP receiver: an answer in 2xx or 4xx, never a 5xx or a crash, and the receiver
// keeps taking good requests afterwards.
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRequest } from '../../core/otlp/encode.js';
import { SIGNALS, type Signal } from '../../core/signals.js';
import { freePort, type RunningPipeline, startPipeline } from '../../core/testing/index.js';
import otlpReceiver from '../../plugins/receivers/otlp/index.js';
import { asOtlp, type Telemetry, telemetry } from '../plugins/receivers/otlp/data.js';
import { fuzzSettings, fuzzTimeout } from './settings.js';

const PATHS: Record<Signal, string> = { traces: '/v1/traces', metrics: '/v1/metrics', logs: '/v1/logs' };
let pipeline: RunningPipeline;
let url: string;
let data: Telemetry;
const BATCH_OF = (d: Telemetry) => ({ traces: d.spans, metrics: d.metrics, logs: d.logs });

beforeAll(async () => {
  data = await telemetry();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  pipeline = await startPipeline(
    `receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${port}", max_request_body_size: 64KiB } } }
exporters: { sink: {} }
service:
  pipelines:
${SIGNALS.map((s) => `    ${s}: { receivers: [otlp], exporters: [sink] }`).join('\n')}
`,
    { plugins: [otlpReceiver] },
  );
});
afterAll(() => pipeline.shutdown());

function post(path: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Every place in a JSON value, as paths of keys and indices. */
function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...at, Array.isArray(value) ? Number(k) : k], out);
  return out;
}

/** A copy of `value` with the places at `edits` replaced (or, for undefined, removed). */
function mutate(value: unknown, edits: readonly [number, unknown][]): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  const all = paths(copy);
  for (const [index, replacement] of edits) {
    const path = all[index % all.length] ?? [];
    // A copy: a shared constant put in two places (or edited inside) would tie the body in a loop.
    const value = structuredClone(replacement);
    if (path.length === 0) return value;
    let parent: Record<string | number, unknown> | undefined = copy;
    for (const key of path.slice(0, -1))
      parent = parent?.[key] as Record<string | number, unknown> | undefined;
    if (parent && typeof parent === 'object') parent[path[path.length - 1] as string] = value;
  }
  return copy;
}

const odd = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, -1, 2 ** 64, '18446744073709551616', 'NaN', '-Infinity', '', {}, [], [null], 'AAAA'),
);
const signal = fc.constantFrom<Signal>(...SIGNALS);
const jsonBody = fc
  .tuple(signal, fc.array(fc.tuple(fc.nat(), odd), { minLength: 1, maxLength: 4 }))
  .map(([s, edits]) => ({
    signal: s,
    body: Buffer.from(JSON.stringify(mutate(asOtlp(s, BATCH_OF(data)[s]), edits))),
    type: 'application/json',
  }));
const protobufBody = fc
  .tuple(signal, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat())
  .map(([s, flips, cut]) => {
    const bytes = Buffer.from(encodeRequest(s, 'proto', BATCH_OF(data)[s]));
    for (const [at, byte] of flips) bytes[at % bytes.length] = byte;
    return { signal: s, body: bytes.subarray(0, bytes.length - (cut % 8)), type: 'application/x-protobuf' };
  });
const noise = fc
  .tuple(
    signal,
    fc.uint8Array({ maxLength: 300 }),
    fc.constantFrom('application/json', 'application/x-protobuf'),
  )
  .map(([s, bytes, type]) => ({ signal: s, body: Buffer.from(bytes), type }));
const anyRequest = fc.tuple(fc.oneof(jsonBody, protobufBody, noise), fc.boolean());

describe('fuzz: OTLP/HTTP receiver', () => {
  it(
    'answers any body with 2xx or 4xx and keeps taking good requests',
    async () => {
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(anyRequest, async ([{ signal: s, body, type }, gzip]) => {
          const headers: Record<string, string> = { 'content-type': type };
          if (gzip) headers['content-encoding'] = 'gzip';
          const status = await post(PATHS[s], gzip ? gzipSync(body) : body, headers);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          expect(status === 200 || (status >= 400 && status < 500), `status ${status}`).toBe(true);
        }),
        fuzzSettings(300),
      );
      // Both kinds of answer happened: mutated requests are sometimes still good ones.
      expect(statuses.get(200)).toBeGreaterThan(0);
      expect(statuses.get(400)).toBeGreaterThan(0);
      const good = Buffer.from(JSON.stringify(asOtlp('traces', data.spans)));
      expect(await post(PATHS.traces, good, { 'content-type': 'application/json' })).toBe(200);
    },
    fuzzTimeout(300),
  );
});
