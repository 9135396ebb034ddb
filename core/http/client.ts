import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Logger } from 'pino';
import { PermanentError, RetryableError } from '../component.js';
import { redactUrl } from '../config/redact.js';
import { isRetryableStatus } from '../otlp/config.js';
import { readTls, type TlsSettings } from '../otlp/tls.js';
import { ENGINE_VERSION } from '../version.js';

/** Where and how an exporter POSTs: the URL, its extra headers and, for https://, its TLS settings. */
export interface HttpPostSettings {
  url: string;
  headers: Readonly<Record<string, string>>;
  tls: TlsSettings;
  /** The code of a start failure when the TLS files cannot be used (`TRB_EXPORTER_OTLP_TLS`). */
  tlsErrorCode: string;
}

/** The status, `Retry-After` and start of the body of an HTTP answer. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  retryAfter: string | undefined;
  body: Buffer;
}

// Enough of an error body for the log line; the rest is read and thrown away.
const BODY_KEPT = 4096;
const BODY_SHOWN = 200;
// setTimeout's longest delay: a longer Retry-After would fire at once.
const LONGEST_WAIT = 2_147_483_647;

/**
 * POSTs bodies to one URL over a keep-alive connection pool, for exporters' senders. Network
 * failures (refused, reset, DNS, TLS) reject with RetryableError; any HTTP answer resolves, and
 * answerError() says what a non-2xx one means for the exporter helper.
 */
export class HttpPoster {
  /** The URL as errors and logs quote it: an embedding app's logger or caller may not redact. */
  readonly shownUrl: string;
  private readonly headers: Record<string, string>;
  private agent?: Promise<HttpAgent>;

  constructor(
    private readonly settings: HttpPostSettings,
    private readonly logger: Logger,
  ) {
    this.shownUrl = redactUrl(settings.url);
    this.headers = { 'user-agent': `Tributary/${ENGINE_VERSION}`, ...settings.headers };
  }

  /** The connection pool, made once; over https:// with the TLS files read and checked. */
  open(): Promise<HttpAgent> {
    this.agent ??= (async () => {
      const { url, tls, tlsErrorCode } = this.settings;
      if (url.startsWith('https:')) {
        return new HttpsAgent({ keepAlive: true, ...(await readTls(tls, tlsErrorCode)) });
      }
      if (tls.ca_file || tls.cert_file || tls.insecure_skip_verify) {
        this.logger.warn(
          { url: this.shownUrl },
          'tls settings are ignored: the endpoint is http://, sent without TLS',
        );
      }
      return new HttpAgent({ keepAlive: true });
    })();
    return this.agent;
  }

  /** One POST of `body` with the configured headers plus `headers` (content type, encoding). */
  async post(body: Uint8Array, headers: Record<string, string>, abort: AbortSignal): Promise<HttpAnswer> {
    const agent = await this.open();
    abort.throwIfAborted();
    const { url } = this.settings;
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const all = { ...this.headers, ...headers, 'content-length': String(body.length) };
    return new Promise((resolve, reject) => {
      const failed = (err: Error) =>
        // No HTTP answer (refused, reset, DNS, TLS): the data is not at fault.
        reject(
          abort.aborted
            ? abort.reason
            : new RetryableError(`${this.shownUrl}: ${err.message}`, { cause: err }),
        );
      // Our own requests must not become spans when the host process runs HTTP instrumentation. From
      // the root context: reading the active one would switch on the MCP hooks' on-demand propagation.
      const req = context.with(suppressTracing(ROOT_CONTEXT), () =>
        request(url, { method: 'POST', agent, headers: all, signal: abort }),
      );
      req.on('error', failed);
      req.on('response', (res) => {
        res.on('error', failed);
        readAnswer(res).then(resolve);
      });
      req.end(body);
    });
  }

  async shutdown(): Promise<void> {
    const agent = await this.agent?.catch(() => undefined);
    this.agent = undefined;
    // After the drain, a request still open belongs to a send the helper gave up on (timeout or
    // shutdown deadline): destroying the agent ends it now instead of when its socket times out.
    agent?.destroy();
  }
}

/** The answer, keeping the first BODY_KEPT bytes of its body and reading the rest so the connection is reused. */
function readAnswer(res: IncomingMessage): Promise<HttpAnswer> {
  // A connection cut mid-answer ends in res's 'error', which post() listens to.
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    res.on('data', (chunk: Buffer) => {
      if (kept >= BODY_KEPT) return;
      chunks.push(chunk);
      kept += chunk.length;
    });
    res.on('end', () => {
      const retryAfter = res.headers['retry-after'];
      resolve({
        status: res.statusCode ?? 0,
        statusText: res.statusMessage ?? '',
        retryAfter,
        body: Buffer.concat(chunks).subarray(0, BODY_KEPT),
      });
    });
  });
}

/**
 * What a non-2xx answer means to the exporter helper: 429, 502, 503 and 504 are RetryableError (a
 * 429's or 503's `Retry-After` rides along as `retryAfterMs`); any other status is a PermanentError.
 */
export function answerError(url: string, answer: HttpAnswer): Error {
  const { status, statusText, body } = answer;
  const detail = printable(body);
  const message = `${url} answered HTTP ${status}${statusText ? ` ${statusText}` : ''}${detail ? `: ${detail}` : ''}`;
  if (!isRetryableStatus(status)) return new PermanentError(message);
  // The throttling answers: 429 and 503 may say how long to wait.
  const retryAfterMs =
    status === 429 || status === 503 ? retryAfterOf(answer.retryAfter, Date.now()) : undefined;
  if (retryAfterMs === undefined) return new RetryableError(message);
  return new RetryableError(`${message} (Retry-After ${Math.ceil(retryAfterMs / 1000)}s)`, { retryAfterMs });
}

/** Whether the answer is a success (2xx). */
export function isSuccess(answer: HttpAnswer): boolean {
  return answer.status >= 200 && answer.status < 300;
}

/** A `Retry-After` (delay-seconds or an HTTP-date) in milliseconds from `now`; undefined when absent or unreadable. */
function retryAfterOf(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), LONGEST_WAIT);
}

/** An answer body as one short line of printable text (a protobuf Status is binary). */
function printable(body: Buffer): string {
  let text = '';
  for (const char of body.toString('utf8')) {
    const code = char.codePointAt(0) ?? 0;
    text += code < 0x20 || code === 0x7f || code === 0xfffd ? ' ' : char;
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > BODY_SHOWN ? `${text.slice(0, BODY_SHOWN)}...` : text;
}
