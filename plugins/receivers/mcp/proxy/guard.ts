import type { Logger } from 'pino';
import type { McpHooks, McpSession, McpSessionOptions } from '../types.js';

/**
 * Wraps observation code so that a bug in it never reaches the relay: the error is swallowed, the
 * first one logged loudly and the rest quietly (a per-message bug must not flood the log).
 */
export function observationGuard(logger: Logger): (observe: () => void) => void {
  let failures = 0;
  return (observe) => {
    try {
      observe();
    } catch (err) {
      if (failures++ === 0)
        logger.error({ err }, 'MCP proxy: observing a message failed (a bug); relaying is unaffected');
      else logger.debug({ err, failures }, 'MCP proxy: observing a message failed again');
    }
  };
}

const UNOBSERVED: McpSession = {
  incoming: () => undefined,
  outgoing: (message) => message,
  unparsed: () => {},
  close: () => {},
};

/** `hooks.session()`, or a session that observes nothing when making one fails: relaying goes on. */
export function openSession(hooks: McpHooks, options: McpSessionOptions, logger: Logger): McpSession {
  try {
    return hooks.session(options);
  } catch (err) {
    logger.error(
      { err },
      'MCP proxy: the hooks could not open a session (a bug); this one is relayed unobserved',
    );
    return UNOBSERVED;
  }
}
