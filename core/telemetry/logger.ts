import pino, { type LevelWithSilent, type Logger } from 'pino';

/**
 * The engine's own diagnostics: JSON lines on stderr. stdout belongs to the `stdout` exporter (and, in
 * MCP stdio proxy mode, to the MCP stream alone). Synchronous writes so nothing is lost at exit.
 */
export function createLogger(
  level: LevelWithSilent = 'info',
  destination: pino.DestinationStream = pino.destination({ dest: 2, sync: true }),
): Logger {
  return pino(
    {
      level,
      messageKey: 'message',
      base: { service: 'tributary' },
      // The monitoring guide's layout: timestamp, level, message.
      timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['*.password', '*.token', '*.secret', '*.api_key', '*.authorization'],
        censor: '[REDACTED]',
      },
    },
    destination,
  );
}
