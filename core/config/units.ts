import { z } from 'zod';

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

const DURATION = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/;
const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)$/;

/** Parses `200ms`, `10s`, `5m`, `1.5h` to milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  return m ? Number(m[1]) * (DURATION_UNITS[m[2] as string] ?? Number.NaN) : undefined;
}

/** Parses `512KiB`, `64MiB`, `1GB` to bytes; undefined when it is not a size. */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  return m ? Math.round(Number(m[1]) * (SIZE_UNITS[m[2] as string] ?? Number.NaN)) : undefined;
}

/**
 * A transform that reads a config value with `parse`; where that gives undefined, a config error with
 * the message `invalid(value)` and the code `trbCode`.
 */
function parseOrReport<In, Out>(
  parse: (value: In) => Out | undefined,
  invalid: (value: In) => string,
  trbCode: string,
): (value: In, ctx: z.RefinementCtx<In>) => Out {
  return (value, ctx) => {
    const parsed = parse(value);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: invalid(value), params: { trbCode } });
      return z.NEVER;
    }
    return parsed;
  };
}

/** What a duration or size needs: a bare number (`10` or `"10"`) is told which unit to add. */
function needsUnit(value: unknown, units: [string, string], examples: string): string {
  const text = String(value).trim();
  return /^\d+(\.\d+)?$/.test(text)
    ? `add a unit, e.g. "${text}${units[0]}" or "${text}${units[1]}"`
    : `use a number with a unit, e.g. ${examples}`;
}

/*
 * Durations and sizes also read bare numbers, only to say which unit they lack; editors are told
 * the schema users should write (a string, or 0 for a duration).
 */
const numberOrText = z.union([z.string(), z.number()]);

/** A config duration (`10s`): a string with a unit, read as milliseconds. `0` alone means none. */
export const duration = () =>
  numberOrText
    .transform(
      parseOrReport(
        (value) => (value === 0 ? 0 : typeof value === 'string' ? parseDuration(value) : undefined),
        (value) =>
          `invalid duration ${JSON.stringify(value)}: ${needsUnit(value, ['s', 'ms'], '"200ms", "10s", "5m"')}`,
        'TRB_CONFIG_BAD_DURATION',
      ),
    )
    .meta({
      description: 'a duration: a number with a unit (ns, us, ms, s, m, h), e.g. "10s"',
      anyOf: [{ type: 'string' }, { type: 'number', const: 0 }],
    });

/** A config size (`64MiB`): a string with a unit, read as bytes. */
export const size = () =>
  numberOrText
    .transform(
      parseOrReport(
        (value) => (typeof value === 'string' ? parseSize(value) : undefined),
        (value) =>
          `invalid size ${JSON.stringify(value)}: ${needsUnit(value, ['MiB', 'B'], '"512KiB", "64MiB", "1GB"')}`,
        'TRB_CONFIG_BAD_SIZE',
      ),
    )
    .meta({
      description: 'a size: a number with a unit (B, KB, MB, GB, KiB, MiB, GiB), e.g. "64MiB"',
      anyOf: [{ type: 'string' }],
    });

/** `host:port` (`[::1]:port` for IPv6) to host and port; undefined when it is not one. No host: 127.0.0.1. */
function parseEndpoint(value: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** A listen address `host:port`. Without a host it binds 127.0.0.1, never every interface. */
export const endpoint = (defaultValue: string) =>
  z
    .string()
    .default(defaultValue)
    .transform(
      parseOrReport(
        parseEndpoint,
        (value) => `invalid endpoint ${JSON.stringify(value)}: use host:port, e.g. "127.0.0.1:9464"`,
        'TRB_CONFIG_BAD_ENDPOINT',
      ),
    )
    .meta({ description: 'host:port to listen on; the host defaults to 127.0.0.1' });

/** How often something repeats: a duration greater than 0 (0 would fire on every tick). */
export const interval = () =>
  duration().refine((ms) => ms > 0, {
    message: 'an interval must be greater than 0, e.g. "10s"',
    params: { trbCode: 'TRB_CONFIG_BAD_DURATION' },
  });
