/** Go's url.QueryEscape: space as `+`, everything but letters, digits and `-_.~` percent-encoded. */
export function queryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** The expression browser's link for an expression (Prometheus's strutil.GraphLinkForExpression / TableLink...). */
export function expressionLink(expr: string, tab: 'graph' | 'table'): string {
  return `/graph?g0.expr=${queryEscape(expr)}&g0.tab=${tab === 'graph' ? 0 : 1}`;
}
