import { parser } from '@prometheus-io/lezer-promql';

type Specializers = NonNullable<NonNullable<Parameters<typeof parser.configure>[0]>['specializers']>;
type Specializer = Specializers[number]['from'];

/**
 * lezer-promql's keyword specializer (`offset`, `bool`, `on`, `ignoring`, `group_left`,
 * `group_right`, `inf`, `nan`): the one external specializer that is not contextual. The package
 * exports only the parser, so it is found in the parser's specs; a new lezer-promql that changes
 * them fails here, at load, not quietly.
 */
const keywords = (() => {
  const specs = (parser as unknown as { specializerSpecs?: { external?: Specializer; extend?: boolean }[] })
    .specializerSpecs;
  const found = specs?.find((s) => s.external && !s.extend)?.external;
  if (!found) throw new Error('lezer-promql has no keyword specializer: the PromQL parser needs updating');
  return found;
})();

/** The `Offset` term, whatever number this grammar build gives it. */
const OFFSET = keywords('offset', undefined as unknown as Parameters<Specializer>[1]);
if (OFFSET < 0)
  throw new Error('lezer-promql does not read `offset` as a keyword: the PromQL parser needs updating');

/**
 * Prometheus 3.14 lets `offset` name a metric wherever an expression starts (`offset{job="a"}`,
 * `rate(offset[5m])`, `1 + offset`); lezer always reads it as the modifier keyword. Here it is the
 * keyword only where the modifier can follow, else a plain identifier.
 */
const offsetAsMetricName: Specializer = (value, stack) => {
  const term = keywords(value, stack);
  return term === OFFSET && !stack.canShift(OFFSET) ? -1 : term;
};

/** The grammar of Prometheus 3.14's expressions, read as its own lexer reads them. */
export const promqlGrammar = parser.configure({ specializers: [{ from: keywords, to: offsetAsMetricName }] });
