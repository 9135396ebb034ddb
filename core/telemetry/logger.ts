import pino, { type LevelWithSilent, type Logger } from 'pino';
import { redactSecrets, redactText } from '../config/redact.js';

/**
 * The engine's own diagnostics: JSON lines on stderr in the monitoring guide's layout, the one the
 * `stdout` exporter writes log records in (`timestamp`, `level` in upper case, `message`, `logger`, then
 * extra fields). stdout belongs to the `stdout` exporter (and, in MCP stdio proxy mode, to the MCP
 * stream alone). Synchronous writes so nothing is lost at exit. Every line goes through the config's
 * redaction rule; `secrets` (the config's secret values) are masked wherever they appear, messages
 * and errors included.
 */
export function createLogger(
  level: LevelWithSilent = 'info',
  destination: pino.DestinationStream = pino.destination({ dest: 2, sync: true }),
  secrets: readonly string[] = [],
): Logger {
  const { formatters, serializers } = redaction(secrets);
  return pino(
    {
      level,
      messageKey: 'message',
      base: { logger: 'tributary' },
      timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
      formatters: {
        // pino's labels upper-cased are OpenTelemetry's short severity names: INFO, WARN, ERROR...
        level: (label) => ({ level: label.toUpperCase() }),
        ...formatters,
      },
      serializers,
    },
    destination,
  );
}

/** A logger an embedder passed in, made to follow the same redaction rule for what the engine logs. */
export function redactingChild(logger: Logger, secrets: readonly string[]): Logger {
  return logger.child({}, redaction(secrets));
}

function redaction(secrets: readonly string[]) {
  return {
    formatters: { log: (object: object) => redactSecrets(object, secrets) as Record<string, unknown> },
    serializers: {
      message: (message: unknown) => (typeof message === 'string' ? redactText(message, secrets) : message),
      msg: (message: unknown) => (typeof message === 'string' ? redactText(message, secrets) : message),
      // The serialized error is not a plain object: spread it so its message and stack are walked too.
      err: (err: Error) => redactSecrets({ ...pino.stdSerializers.err(err) }, secrets),
    },
  };
}
