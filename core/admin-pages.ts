import { TributaryError } from './errors.js';

/** What a page renders: JSON for scripts, or an HTML fragment the admin page wraps in its layout. */
export type AdminPageContent = { json: unknown } | { html: string };

/** A page a plugin adds to the `admin` extension's status site. */
export interface AdminPage {
  /** Where it is served under `/pages/`: lower case letters, digits, `_`, `-` and `/`, e.g. `errors/traces`. */
  path: string;
  /** The link text on the status page. */
  title: string;
  /**
   * Called on every request. An `html` fragment is placed as it is: escape every value with
   * `escapeHtml()`, and never show config values (secrets).
   */
  render(): Promise<AdminPageContent>;
}

const PAGE_PATH = /^[a-z0-9_-]+(?:\/[a-z0-9_-]+)*$/;

/**
 * The pages plugins add to the admin site (error summaries, percentile stats...). One per engine, in
 * its container: a plugin resolves it by class and adds pages without naming the `admin` plugin,
 * and pages added with no `admin` extension running are simply not served.
 */
export class AdminPages {
  private readonly pages = new Map<string, AdminPage>();

  /** Adds `page`; returns the function that removes it (call it in shutdown()). */
  add(page: AdminPage): () => void {
    if (!PAGE_PATH.test(page.path))
      throw new TributaryError(
        'TRB_ADMIN_PAGE_INVALID',
        `admin page path ${JSON.stringify(page.path)} is not a valid path`,
        {},
        'use lower case letters, digits, "_", "-" and "/" between segments, e.g. "errors/traces"',
      );
    if (this.pages.has(page.path))
      throw new TributaryError(
        'TRB_ADMIN_PAGE_INVALID',
        `admin page path "${page.path}" is already taken by "${this.pages.get(page.path)?.title}"`,
        {},
        'give each page its own path, e.g. one with the component id in it',
      );
    this.pages.set(page.path, page);
    return () => {
      if (this.pages.get(page.path) === page) this.pages.delete(page.path);
    };
  }

  get(path: string): AdminPage | undefined {
    return this.pages.get(path);
  }

  /** Every page, in the order they were added. */
  list(): AdminPage[] {
    return [...this.pages.values()];
  }
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `text` safe to place in HTML (and SVG) text and quoted attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}
