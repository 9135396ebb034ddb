import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';
import { TributaryError } from '../errors.js';

const pemFile = (what: string) => z.string().min(1).optional().describe(`PEM file of ${what}`);

/** The client side of the Collector's configtls, for https:// endpoints. */
export const tlsSettings = () =>
  z
    .strictObject({
      ca_file: pemFile('the CA that signed the server certificate (instead of the system CAs)'),
      cert_file: pemFile('the client certificate, for servers that ask for one (with key_file)'),
      key_file: pemFile('the client certificate’s private key (with cert_file)'),
      insecure_skip_verify: z
        .boolean()
        .default(false)
        .describe('do not verify the server certificate (testing only)'),
    })
    .superRefine((tls, ctx) => {
      if ((tls.cert_file === undefined) !== (tls.key_file === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [tls.cert_file === undefined ? 'cert_file' : 'key_file'],
          message: 'cert_file and key_file go together: set both or neither',
        });
      }
    })
    .prefault({})
    .describe('TLS settings for https:// endpoints');

export type TlsSettings = z.output<ReturnType<typeof tlsSettings>>;

/** What node:https takes from the settings, files read. */
export interface TlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
}

const FILES = { ca_file: 'ca', cert_file: 'cert', key_file: 'key' } as const;

/**
 * Reads the PEM files and checks they make a TLS context, so a bad file stops the start, not every send.
 * A failure is a TributaryError with `code`, which names the component kind that could not start.
 */
export async function readTls(tls: TlsSettings, code = 'TRB_EXPORTER_OTLP_TLS'): Promise<TlsOptions> {
  const options: TlsOptions = { rejectUnauthorized: !tls.insecure_skip_verify };
  for (const [key, option] of Object.entries(FILES) as [keyof typeof FILES, 'ca' | 'cert' | 'key'][]) {
    const file = tls[key];
    if (file === undefined) continue;
    try {
      options[option] = await readFile(file);
    } catch (err) {
      throw tlsError(code, `cannot read tls.${key} ${file}: ${(err as Error).message}`, key);
    }
  }
  try {
    createSecureContext(options);
  } catch (err) {
    throw tlsError(code, `the tls files are not usable: ${(err as Error).message}`);
  }
  return options;
}

function tlsError(code: string, message: string, key?: string): TributaryError {
  const hint = key
    ? `point tls.${key} at a readable PEM file`
    : 'ca_file holds PEM certificates; cert_file a PEM certificate and key_file its PEM private key';
  return new TributaryError(code, message, {}, hint);
}
