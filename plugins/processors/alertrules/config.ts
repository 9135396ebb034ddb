import { AlertRulesConfig } from '../../../core/rules/config.js';

/** The connector's config but resend_delay: the processor sends no notifications. */
export const AlertRulesProcessorConfig = AlertRulesConfig.omit({ resend_delay: true });
