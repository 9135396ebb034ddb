// What every listener of the engine (the otlp receiver, the prometheus exporter, health_check, admin)
// takes to be served over TLS and behind a bearer token or basic auth, as the Collector's confighttp
// server settings (tls, auth) do.
import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { z } from 'zod';
import type { ComponentKind } from '../component.js';
import { TributaryError } from '../errors.js';

const pem = (what: string) => z.string().min(1).describe(`PEM file of ${what}`);

/** `tls` and `auth` of a listener's config. Both off by default. */
export const serverSecurity = () => ({
  tls: z
    .strictObject({
      cert_file: pem('the server certificate'),
      key_file: pem('the server certificate’s private key'),
      client_ca_file: pem(
        'the CA that signs client certificates: set, every client must show one',
      ).optional(),
    })
    .optional()
    .describe('serve HTTPS with this certificate instead of plain HTTP'),
  auth: z
    .strictObject({
      bearer_token: z
        .string()
        .min(1)
        .optional()
        .describe('requests must carry `Authorization: Bearer <token>`'),
      basic: z
        .strictObject({ username: z.string().min(1), password: z.string().min(1) })
        .optional()
        .describe('requests must carry HTTP basic credentials'),
    })
    .superRefine((auth, ctx) => {
      if ((auth.bearer_token === undefined) === (auth.basic === undefined))
        ctx.addIssue({ code: 'custom', message: 'set exactly one of bearer_token or basic' });
    })
    .optional()
    .describe('what a request must carry in its Authorization header; without it, 401'),
});

const Security = z.strictObject(serverSecurity());
export type ServerSecurity = z.output<typeof Security>;

/** The TLS options of node:https's createServer, files read and checked, or a located TributaryError. */
export async function readServerTls(
  tls: NonNullable<ServerSecurity['tls']>,
  kind: ComponentKind,
  path: string,
): Promise<SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean }> {
  const read = async (key: keyof typeof tls) => {
    const file = tls[key] as string;
    try {
      return await readFile(file);
    } catch (err) {
      throw new TributaryError(
        `TRB_${kind.toUpperCase()}_TLS`,
        `cannot read ${path}.tls.${key} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        { path: `${path}.tls.${key}` },
        'point it at a readable PEM file',
      );
    }
  };
  const options = {
    cert: await read('cert_file'),
    key: await read('key_file'),
    ...(tls.client_ca_file ? { ca: await read('client_ca_file') } : {}),
    requestCert: tls.client_ca_file !== undefined,
    rejectUnauthorized: tls.client_ca_file !== undefined,
  };
  try {
    createSecureContext(options);
  } catch (err) {
    throw new TributaryError(
      `TRB_${kind.toUpperCase()}_TLS`,
      `the tls files of ${path} are not usable: ${(err as Error).message}`,
      { path: `${path}.tls` },
      'cert_file holds a PEM certificate, key_file its PEM private key, client_ca_file PEM certificates',
    );
  }
  return options;
}

/**
 * A check of each request's Authorization header against `auth`: true lets it through; false has
 * answered 401 with the challenge. Compared in constant time.
 */
export function authorizer(
  auth: NonNullable<ServerSecurity['auth']>,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const scheme = auth.bearer_token !== undefined ? 'Bearer' : 'Basic';
  const expected = Buffer.from(
    auth.bearer_token ?? Buffer.from(`${auth.basic?.username}:${auth.basic?.password}`).toString('base64'),
  );
  const challenge = `${scheme} realm="tributary"`;
  return (req, res) => {
    // The scheme is case-insensitive (RFC 9110, 11.1): `bearer <token>` is as good as `Bearer <token>`.
    const header = req.headers.authorization ?? '';
    const space = header.indexOf(' ');
    const given = Buffer.from(header.slice(space + 1));
    const schemeMatches = space > 0 && header.slice(0, space).toLowerCase() === scheme.toLowerCase();
    if (schemeMatches && given.length === expected.length && timingSafeEqual(given, expected)) return true;
    res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': challenge });
    res.end('unauthorized: this endpoint needs credentials in the Authorization header\n');
    return false;
  };
}
