/** A parsed Go text/template (the subset Prometheus's rule templates use). */
export interface Template {
  /** The text as written. */
  readonly text: string;
}
