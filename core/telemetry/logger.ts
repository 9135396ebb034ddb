import pino, { type LevelWithSilent, type Logger } from 'pino';

/**
 * The engine's own diagnostics: JSON lines on stderr in the monitoring guide's layout, the one the
 * `stdout` exporter writes log records in (`timestamp`, `level` in upper case, `message`, `logger`, then
 * extra fields). stdout belongs to the `stdout` exporter (and, in MCP stdio proxy mode, to the MCP
 * stream alone). Synchronous writes so nothing is lost at exit.
 */
export function createLogger(
  level: LevelWithSilent = 'info',
  destination: pino.DestinationStream = pino.destination({ dest: 2, sync: true }),
): Logger {
  return pino(
    {
      level,
      messageKey: 'message',
      base: { logger: 'tributary' },
      timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
      // pino's labels upper-cased are OpenTelemetry's short severity names: INFO, WARN, ERROR...
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
      redact: {
        paths: ['*.password', '*.token', '*.secret', '*.api_key', '*.authorization'],
        censor: '[REDACTED]',
      },
    },
    destination,
  );
}
