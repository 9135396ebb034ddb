import type { NameList } from './config.js';

/** Whether a name passes: on the `include` list (when there is one) and not on the `exclude` list. */
export function nameFilter(
  include: NameList | undefined,
  exclude: NameList | undefined,
): (name: string) => boolean {
  const included = include ? matches(include) : () => true;
  const excluded = exclude ? matches(exclude) : () => false;
  return (name) => included(name) && !excluded(name);
}

function matches({ names, match_type }: NameList): (name: string) => boolean {
  if (match_type === 'strict') return (name) => names.includes(name);
  const patterns = names.map((p) => new RegExp(p));
  return (name) => patterns.some((p) => p.test(name));
}
