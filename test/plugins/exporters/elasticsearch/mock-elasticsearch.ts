import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/*
 * A stand-in for Elasticsearch that speaks enough of it for the official client: the product header on
 * every answer, `GET /`, and `POST /_bulk` with NDJSON bodies, decoded here with a plain split and
 * JSON.parse (not with anything the exporter uses). Each document's result is decided by the test.
 */

export interface BulkOperation {
  op: string;
  index: string;
  source: Record<string, unknown>;
}

/** One document's result; no answer means `201 created`. */
export interface ItemAnswer {
  status: number;
  error?: { type: string; reason: string };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The bulk body's bytes as received. */
  bytes: number;
  operations: BulkOperation[];
}

/** A whole-request answer instead of per-item results: e.g. a 503 from a node that is not ready. */
export interface RequestAnswer {
  status: number;
  body: unknown;
}

const PRODUCT = { 'x-elastic-product': 'Elasticsearch', 'content-type': 'application/json' };

export class MockElasticsearch {
  readonly requests: RecordedRequest[] = [];
  /** Documents accepted, by index, in the order they arrived. */
  readonly indexed = new Map<string, Record<string, unknown>[]>();
  /** Every document received with the status it was answered with, in order. */
  readonly received: { source: Record<string, unknown>; status: number }[] = [];
  answerItem: (operation: BulkOperation) => ItemAnswer | undefined = () => undefined;
  /** Asked first for each bulk request (numbered from 1); undefined answers per item. */
  answerRequest: (n: number) => RequestAnswer | undefined = () => undefined;

  private server: Server;
  private bulkRequests = 0;

  private constructor(
    private readonly tls: { key: string; cert: string } | undefined,
    public port = 0,
  ) {
    this.server = this.makeServer();
  }

  static async start(options: { tls?: { key: string; cert: string } } = {}): Promise<MockElasticsearch> {
    const mock = new MockElasticsearch(options.tls);
    await mock.listen();
    return mock;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** Every accepted document, of every index. */
  documents(): Record<string, unknown>[] {
    return [...this.indexed.values()].flat();
  }

  /** Stops listening and cuts open connections: new connections are refused. */
  async down(): Promise<void> {
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    this.server = this.makeServer();
    await this.listen();
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.down();
  }

  private makeServer(): Server {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    return this.tls ? createTlsServer(this.tls, handler) : createServer(handler);
  }

  private async listen(): Promise<void> {
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path?.endsWith('/_bulk')) return this.bulk(req, body, res);
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/') {
      return reply(res, 200, { name: 'mock', cluster_name: 'mock', version: { number: '9.4.0' } });
    }
    reply(res, 404, { error: { type: 'not_found', reason: `${req.method} ${path}` }, status: 404 });
  }

  private bulk(req: IncomingMessage, body: string, res: ServerResponse): void {
    const lines = body.split('\n');
    if (lines.pop() !== '') {
      reply(res, 400, {
        error: {
          type: 'illegal_argument_exception',
          reason: 'The bulk request must be terminated by a newline',
        },
        status: 400,
      });
      return;
    }
    const operations: BulkOperation[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i] as string) as Record<string, { _index: string }>;
      const op = Object.keys(action)[0] as string;
      operations.push({
        op,
        index: action[op]?._index as string,
        source: JSON.parse(lines[i + 1] as string),
      });
    }
    this.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      bytes: Buffer.byteLength(body),
      operations,
    });
    const whole = this.answerRequest(++this.bulkRequests);
    if (whole) {
      reply(res, whole.status, whole.body);
      return;
    }
    let errors = false;
    const items = operations.map((operation, i) => {
      const answer = this.answerItem(operation) ?? { status: 201 };
      this.received.push({ source: operation.source, status: answer.status });
      if (answer.status >= 300) {
        errors = true;
        return { [operation.op]: { _index: operation.index, status: answer.status, error: answer.error } };
      }
      const list = this.indexed.get(operation.index) ?? [];
      list.push(operation.source);
      this.indexed.set(operation.index, list);
      return {
        [operation.op]: {
          _index: operation.index,
          _id: `id-${this.bulkRequests}-${i}`,
          status: 201,
          result: 'created',
        },
      };
    });
    reply(res, 200, { took: 1, errors, items });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, PRODUCT);
  res.end(JSON.stringify(body));
}
