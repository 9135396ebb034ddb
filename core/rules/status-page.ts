import { AdminPages } from '../admin-pages.js';
import type { CreateContext } from '../plugin.js';
import type { AlertRulesRunner } from './runner.js';
import type { WindowStats } from './window.js';

/** What Prometheus's /rules and /alerts pages show, as JSON. */
export interface RulesStatus {
  groups: {
    name: string;
    file: string;
    /** Seconds. */
    interval: number;
    lastEvaluation: string | undefined;
    rules: {
      name: string;
      type: 'recording' | 'alerting';
      query: string;
      health: 'ok' | 'err' | 'unknown';
      lastError: string | undefined;
      evaluationMs: number | undefined;
    }[];
  }[];
  alerts: {
    name: string;
    state: string;
    labels: Readonly<Record<string, string>>;
    annotations: Readonly<Record<string, string>>;
    activeAt: string | undefined;
    value: number;
  }[];
  window: WindowStats;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Each group's rules with their health at its last evaluation, the pending and firing alerts, the window. */
export function rulesStatus(runner: AlertRulesRunner): RulesStatus {
  const groups: RulesStatus['groups'] = [];
  const alerts: RulesStatus['alerts'] = [];
  for (const e of runner.groups) {
    const last = runner.lastEvaluation(e);
    groups.push({
      name: e.group.name,
      file: e.group.file,
      interval: e.intervalMs / 1000,
      lastEvaluation: iso(last?.t),
      rules: e.group.rules.map((rule) => {
        const health = last?.rules.find((r) => r.rule === rule);
        return {
          name: rule.name,
          type: rule.kind,
          query: rule.expr.text,
          health: health?.health ?? 'unknown',
          lastError: health?.error,
          evaluationMs: health?.durationMs,
        };
      }),
    });
    for (const a of last?.alerts ?? [])
      alerts.push({
        name: a.rule,
        state: a.state,
        labels: a.labels,
        annotations: a.annotations,
        activeAt: iso(a.activeAt),
        value: a.value,
      });
  }
  return { groups, alerts, window: runner.window.stats() };
}

/**
 * Serves the runner's status as JSON on the `admin` extension's site, at
 * `/pages/alertrules/<kind>/<id>` (and the pipeline, for processors: each pipeline has its own).
 * Returns the function that removes the page.
 */
export function addRulesPage(ctx: CreateContext, runner: AlertRulesRunner): () => void {
  const where = [ctx.kind, ctx.id, ...(ctx.pipeline ? [ctx.pipeline] : [])]
    .map((part) => part.toLowerCase().replace(/[^a-z0-9_-]+/g, '-'))
    .join('/');
  return ctx.container.resolve(AdminPages).add({
    path: `alertrules/${where}`,
    title: `Alert rules (${ctx.kind} ${ctx.id}${ctx.pipeline ? `, pipeline ${ctx.pipeline}` : ''})`,
    render: async () => ({ json: rulesStatus(runner) }),
  });
}
