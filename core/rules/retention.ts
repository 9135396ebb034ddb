import type { RuleGroup } from './types.js';

export function retentionMs(_groups: readonly RuleGroup[]): number {
  throw new Error('not implemented yet');
}
