export { AlertRulesConfig } from '../../../core/rules/config.js';
