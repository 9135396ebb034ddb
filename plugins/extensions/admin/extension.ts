import { AdminPages, escapeHtml } from '../../../core/admin-pages.js';
import type { Extension } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import { announce, EngineStatus } from '../../../core/status.js';
import type { AdminConfig } from './config.js';
import { layOut } from './layout.js';
import { FAVICON, htmlDocument, SCRIPT, statusPage } from './page.js';
import { AdminServer, type Answer } from './server.js';
import { readStatus } from './status.js';

/** Serves the status page (HTML), its data (JSON) and the pages plugins add through `AdminPages`. */
export class AdminExtension implements Extension {
  private readonly server: AdminServer;

  constructor(private readonly ctx: CreateContext<AdminConfig>) {
    this.server = new AdminServer(
      {
        host: ctx.config.endpoint.host,
        port: ctx.config.endpoint.port,
        id: ctx.id,
        onError: (err) => ctx.logger.warn({ err: err.message }, 'the admin page failed to answer'),
        security: ctx.config,
      },
      (path) => this.route(path),
    );
  }

  /** Where the page listens (the real port when the config said 0); undefined until started. */
  get address(): { host: string; port: number } | undefined {
    const address = this.server.listener.address;
    return address && { host: address.address, port: address.port };
  }

  async start(): Promise<void> {
    await this.server.listener.listen();
    const url = this.server.listener.url('/') as string;
    // The engine's ready line names it, with every other place to look.
    this.ctx.logger.debug({ url }, 'serving the admin status page');
    announce(this.ctx.container, this.ctx.id, 'admin', url);
  }

  async shutdown(): Promise<void> {
    await this.server.listener.close();
  }

  private route(path: string): Promise<Answer> | undefined {
    if (path === '/')
      return this.status().then((s) => ({ type: 'html', body: statusPage(s, layOut(this.engine.graph)) }));
    if (path === '/api/status') return this.status().then((s) => ({ type: 'json', body: JSON.stringify(s) }));
    if (path === '/admin.js') return Promise.resolve({ type: 'js', body: SCRIPT });
    if (path === '/favicon.svg') return Promise.resolve({ type: 'svg', body: FAVICON });
    const page = path.startsWith('/pages/') ? this.pages.get(path.slice('/pages/'.length)) : undefined;
    if (!page) return undefined;
    return Promise.all([page.render(), this.status()]).then(([content, status]): Answer => {
      if ('json' in content) return { type: 'json', body: JSON.stringify(content.json) };
      const body = `<section><h2>${escapeHtml(page.title)}</h2>${content.html}</section>`;
      return { type: 'html', body: htmlDocument(page.title, status, body) };
    });
  }

  private get engine(): EngineStatus {
    return this.ctx.container.resolve(EngineStatus);
  }

  private get pages(): AdminPages {
    return this.ctx.container.resolve(AdminPages);
  }

  private status() {
    return readStatus(this.engine, this.pages);
  }
}
