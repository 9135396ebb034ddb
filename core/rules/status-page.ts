import { AdminPages } from '../admin-pages.js';
import type { CreateContext } from '../plugin.js';
import type { AlertRulesRunner } from './runner.js';

/**
 * Serves the runner's status (rules with their health, pending and firing alerts, the window) as
 * JSON on the `admin` extension's site, at `/pages/alertrules/<kind>/<id>` (and the pipeline, for
 * processors: each pipeline has its own). Returns the function that removes the page.
 */
export function addRulesPage(ctx: CreateContext, runner: AlertRulesRunner): () => void {
  const where = [ctx.kind, ctx.id, ...(ctx.pipeline ? [ctx.pipeline] : [])]
    .map((part) => part.toLowerCase().replace(/[^a-z0-9_-]+/g, '-'))
    .join('/');
  return ctx.container.resolve(AdminPages).add({
    path: `alertrules/${where}`,
    title: `Alert rules (${ctx.kind} ${ctx.id}${ctx.pipeline ? `, pipeline ${ctx.pipeline}` : ''})`,
    render: async () => ({ json: runner.status() }),
  });
}
