import { escapeHtml } from '../../../core/admin-pages.js';
import type { Layout } from './layout.js';
import { type AdminStatus, type Counts, formatCount } from './status.js';
import { renderSvg } from './svg.js';

/** The table's count columns, in order: what the engine counts for each component. */
const COLUMNS: [keyof Counts, string][] = [
  ['accepted', 'accepted'],
  ['sent', 'sent'],
  ['refused', 'refused'],
  ['failed', 'send failed'],
  ['dropped', 'dropped'],
  ['queued', 'queued items'],
  ['queue_size', 'queue (batches)'],
  ['queue_capacity', 'queue capacity'],
];

const STYLE = `
:root { --bg:#f6f7f9; --card:#fff; --ink:#1f2933; --muted:#616e7c; --line:#d9dee5;
  --receiver:#2563eb; --processor:#7c3aed; --connector:#d97706; --exporter:#059669; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--ink); }
header { display:flex; flex-wrap:wrap; align-items:center; gap:12px 18px; padding:14px 24px; background:#111827; color:#f9fafb; }
header h1 { font-size:18px; margin:0; letter-spacing:.02em; }
header .meta { color:#cbd2d9; }
header nav { margin-left:auto; display:flex; gap:14px; }
header a { color:#93c5fd; }
.badge { padding:2px 10px; border-radius:999px; font-weight:600; font-size:12px; background:#374151; }
.state-running { background:#047857; } .state-failed { background:#b91c1c; } .state-stopping, .state-starting { background:#b45309; }
.live { font-size:12px; color:#86efac; } .live.down { color:#fca5a5; }
main { padding:20px 24px 40px; display:grid; gap:20px; }
section { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 18px; overflow-x:auto; }
h2 { font-size:15px; margin:0 0 12px; }
.graph .edge { fill:none; stroke:#9aa5b1; stroke-width:1.6; }
.graph .arrowhead { fill:#9aa5b1; }
.graph .box { fill:#fff; stroke:var(--line); stroke-width:1.2; }
.graph .id { font-weight:600; font-size:13px; fill:var(--ink); }
.graph .detail { font-size:11px; fill:var(--muted); }
.graph .counts { font:11px ui-monospace, SFMono-Regular, Menlo, monospace; fill:var(--ink); }
.graph .receiver .stripe { fill:var(--receiver); } .graph .processor .stripe { fill:var(--processor); }
.graph .connector .stripe { fill:var(--connector); } .graph .exporter .stripe { fill:var(--exporter); }
.dot { fill:#9aa5b1; } .st-ok { fill:#10b981; } .st-recoverable_error { fill:#f59e0b; } .st-permanent_error { fill:#dc2626; }
.st-starting, .st-stopping { fill:#60a5fa; }
.legend { display:flex; gap:16px; color:var(--muted); font-size:12px; margin:8px 0 0; }
.legend span::before { content:""; display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:5px; background:var(--c); vertical-align:-1px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--muted); font-weight:600; font-size:12px; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.status { font-weight:600; } .status.st-ok { color:#047857; } .status.st-permanent_error { color:#b91c1c; }
.status.st-recoverable_error { color:#b45309; }
.error { color:#b91c1c; white-space:normal; }
.empty { color:var(--muted); }
`;

/** The whole HTML document: header with the engine's state and the pages' links, then `body`. */
export function htmlDocument(title: string, status: AdminStatus, body: string): string {
  const { engine } = status;
  const links = [
    '<a href="/">status</a>',
    '<a href="/api/status">JSON</a>',
    ...status.pages.map((p) => `<a href="${escapeHtml(p.url)}">${escapeHtml(p.title)}</a>`),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="icon" href="/favicon.svg"><style>${STYLE}</style></head>
<body><header><h1>Tributary</h1>
<span class="badge state-${escapeHtml(engine.state)}" data-engine-state>${escapeHtml(engine.state)}</span>
<span class="meta">version ${escapeHtml(engine.version)} · up <span data-uptime>${uptime(engine.uptime_seconds)}</span></span>
<span class="live" data-live>live</span>
<nav>${links.join('')}</nav></header>
<main>${body}</main>
<script src="/admin.js"></script></body></html>`;
}

/** The status page: the graph, every node's counts, the extensions. */
export function statusPage(status: AdminStatus, layout: Layout): string {
  const rows = status.nodes.map((n) => {
    const where =
      n.kind === 'processor' ? n.pipeline : n.kind === 'connector' ? `${n.signal} → ${n.to}` : n.signal;
    const counts = COLUMNS.map(
      ([field]) => `<td class="num" data-count="${field}">${formatCount(n.counts[field])}</td>`,
    );
    return `<tr data-node="${escapeHtml(n.key)}"><td>${escapeHtml(n.id)}</td><td>${n.kind}</td><td>${escapeHtml(where)}</td>${statusCell(n.status, n.error)}${counts.join('')}</tr>`;
  });
  const extensions = status.components
    .filter((c) => c.kind === 'extension')
    .map(
      (c) =>
        `<tr data-extension="${escapeHtml(c.id)}"><td>${escapeHtml(c.id)}</td>${statusCell(c.status, c.error)}</tr>`,
    );
  const legend = ['receiver', 'processor', 'connector', 'exporter']
    .map((k) => `<span style="--c:var(--${k})">${k}</span>`)
    .join('');
  const body = `
<section><h2>Pipeline graph</h2>${renderSvg(layout, status.nodes)}<p class="legend">${legend}</p></section>
<section><h2>Components</h2><table><thead><tr><th>component</th><th>kind</th><th>signal / pipeline</th><th>status</th>${COLUMNS.map(([, label]) => `<th class="num">${label}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>
<section><h2>Extensions</h2>${extensions.length ? `<table><thead><tr><th>extension</th><th>status</th></tr></thead><tbody>${extensions.join('\n')}</tbody></table>` : '<p class="empty">none</p>'}</section>`;
  return htmlDocument('Tributary status', status, body);
}

function statusCell(status: string, error?: string): string {
  const why = error
    ? ` <span class="error" data-error>${escapeHtml(error)}</span>`
    : ' <span class="error" data-error></span>';
  return `<td><span class="status st-${escapeHtml(status)}" data-status-text>${escapeHtml(status)}</span>${why}</td>`;
}

/** `3h 2m 5s`: the page's script formats it the same way. */
function uptime(seconds: number): string {
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60];
  return h ? `${h}h ${m}m ${s}s` : m ? `${m}m ${s}s` : `${s}s`;
}

/** Three streams joining: the tab's icon. */
export const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#111827"/><path d="M2 4h5l3 4h4M2 12h5l3-4" fill="none" stroke="#34d399" stroke-width="2"/></svg>';

/**
 * The page's script: polls /api/status every second and updates the numbers and statuses in place
 * (textContent and class names only: nothing from the engine is parsed as HTML).
 */
export const SCRIPT = `'use strict';
const fmt = (n) => (n === undefined ? '\\u2013' : n.toLocaleString('en-US'));
const uptime = (t) => {
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
  return h ? h + 'h ' + m + 'm ' + s + 's' : m ? m + 'm ' + s + 's' : s + 's';
};
const byAttr = (name) => {
  const map = new Map();
  for (const el of document.querySelectorAll('[' + name + ']')) {
    const key = el.getAttribute(name);
    map.set(key, [...(map.get(key) || []), el]);
  }
  return map;
};
const nodes = byAttr('data-node');
const extensions = byAttr('data-extension');
const setStatus = (el, status, error) => {
  const dot = el.querySelector('[data-status]');
  if (dot) { dot.setAttribute('class', 'dot st-' + status); dot.firstChild.textContent = status; }
  const text = el.querySelector('[data-status-text]');
  if (text) { text.className = 'status st-' + status; text.textContent = status; }
  const why = el.querySelector('[data-error]');
  if (why) why.textContent = error || '';
};
async function refresh() {
  const live = document.querySelector('[data-live]');
  try {
    const res = await fetch('/api/status', { cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const s = await res.json();
    const state = document.querySelector('[data-engine-state]');
    state.textContent = s.engine.state;
    state.className = 'badge state-' + s.engine.state;
    document.querySelector('[data-uptime]').textContent = uptime(s.engine.uptime_seconds);
    for (const n of s.nodes) {
      for (const el of nodes.get(n.key) || []) {
        setStatus(el, n.status, n.error);
        const line = el.querySelector('[data-summary]');
        if (line) line.textContent = n.summary;
        for (const cell of el.querySelectorAll('[data-count]')) cell.textContent = fmt(n.counts[cell.dataset.count]);
      }
    }
    for (const c of s.components)
      for (const el of extensions.get(c.id) || []) setStatus(el, c.status, c.error);
    live.textContent = 'live';
    live.className = 'live';
  } catch (err) {
    live.textContent = 'disconnected: ' + err.message;
    live.className = 'live down';
  }
  setTimeout(refresh, 1000);
}
refresh();
`;
