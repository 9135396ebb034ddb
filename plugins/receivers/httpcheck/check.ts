import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TlsOptions } from '../../../core/otlp/tls.js';
import type { HttpCheckTarget } from './config.js';

/** Milliseconds spent in each phase of a check; a phase that did not happen is absent. */
export interface Phases {
  /** Resolving the host name (absent for an IP address). */
  dns?: number;
  /** Opening the TCP connection. */
  connect?: number;
  /** The TLS handshake (https only). */
  tls?: number;
  /** Writing the request, from the connection being ready until it is handed to the socket. */
  request?: number;
  /** From the request sent until the last byte of the response body. */
  response?: number;
}

/** The server certificate of an https check. */
export interface ServerCertificate {
  notAfter: number;
  issuer: string;
  commonName: string;
  subjectAltNames: string[];
}

/** What one check of a target found. */
export interface CheckResult {
  durationMs: number;
  /** The answer's status code; absent when there was no answer. */
  statusCode?: number;
  /** Why the check got no complete answer (refused, timed out, TLS, reset...). */
  error?: string;
  /** Status expected, body matched and no error. */
  success: boolean;
  phases: Phases;
  certificate?: ServerCertificate;
}

/** Whether a status code is one of the expected codes or classes. */
export function statusExpected(code: number, expected: readonly (number | string)[]): boolean {
  return expected.some((e) => e === code || e === `${Math.trunc(code / 100)}xx`);
}

/**
 * Checks a target once on a connection of its own, timed from the socket's events. Never rejects:
 * every failure is in the result. Ends within the target's timeout, or when `stop` aborts.
 */
export function check(target: HttpCheckTarget, tls: TlsOptions, stop: AbortSignal): Promise<CheckResult> {
  return new Promise((resolve) => {
    const start = performance.now();
    const marks: Record<'lookup' | 'connect' | 'secure' | 'sent' | 'end', number | undefined> = {
      lookup: undefined,
      connect: undefined,
      secure: undefined,
      sent: undefined,
      end: undefined,
    };
    let statusCode: number | undefined;
    let certificate: ServerCertificate | undefined;
    const body: Buffer[] = [];
    let kept = 0;
    let done = false;

    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stop.removeEventListener('abort', stopped);
      const end = performance.now();
      const success =
        error === undefined &&
        statusCode !== undefined &&
        statusExpected(statusCode, target.status_codes) &&
        (!target.body_regex || target.body_regex.test(Buffer.concat(body).toString('utf8')));
      resolve({
        durationMs: end - start,
        statusCode: error === undefined ? statusCode : undefined,
        error,
        success,
        phases: phases(start, marks),
        certificate,
      });
      req.destroy();
    };

    const https = target.endpoint.startsWith('https:');
    const req: ClientRequest = (https ? httpsRequest : httpRequest)(target.endpoint, {
      method: target.method,
      headers: target.headers,
      // A connection of its own, so every check measures DNS, connect and TLS.
      agent: false,
      ...(https ? tls : {}),
    });
    const timer = setTimeout(
      () => finish(`timeout: no complete answer within ${target.timeout} ms`),
      target.timeout,
    );
    const stopped = () => finish('the receiver shut down');
    stop.addEventListener('abort', stopped);

    req.once('socket', (socket: Socket) => {
      socket.once('lookup', () => {
        marks.lookup = performance.now();
      });
      socket.once('connect', () => {
        marks.connect = performance.now();
      });
      socket.once('secureConnect', () => {
        marks.secure = performance.now();
        certificate = serverCertificate(socket as TLSSocket);
      });
    });
    req.once('finish', () => {
      marks.sent = performance.now();
    });
    req.once('response', (res: IncomingMessage) => {
      statusCode = res.statusCode;
      const keep = target.body_regex ? target.max_body_size : 0;
      res.on('data', (chunk: Buffer) => {
        if (kept >= keep) return;
        body.push(chunk.subarray(0, keep - kept));
        kept += Math.min(chunk.length, keep - kept);
      });
      res.once('end', () => {
        marks.end = performance.now();
        finish();
      });
      res.on('error', (err) => finish(err.message));
    });
    req.on('error', (err) => finish(err.message));
    req.end(target.body);
  });
}

function phases(start: number, marks: Record<string, number | undefined>): Phases {
  const { lookup, connect, secure, sent, end } = marks;
  const since = (from: number | undefined, to: number | undefined) =>
    from !== undefined && to !== undefined ? to - from : undefined;
  const ready = secure ?? connect;
  // Node may hand a small request to the socket before it connects: then it took no time of its own.
  const sentAt = ready !== undefined && sent !== undefined ? Math.max(ready, sent) : undefined;
  return {
    dns: since(start, lookup),
    connect: since(lookup ?? start, connect),
    tls: since(connect, secure),
    request: since(ready, sentAt),
    response: since(sentAt, end),
  };
}

function serverCertificate(socket: TLSSocket): ServerCertificate | undefined {
  const cert = socket.getPeerCertificate();
  if (!cert?.valid_to) return undefined;
  return {
    notAfter: Date.parse(cert.valid_to),
    issuer: distinguishedName(cert.issuer),
    commonName: String(cert.subject?.CN ?? ''),
    subjectAltNames: (cert.subjectaltname ?? '')
      .split(', ')
      .filter(Boolean)
      .map((san) => san.replace(/^(DNS|IP Address|URI|email):/, '')),
  };
}

/** `CN=localhost,O=Example`, as Go's pkix.Name.String() writes an issuer (most specific first). */
function distinguishedName(name: object | undefined): string {
  return Object.entries(name ?? {})
    .reverse()
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(',');
}
