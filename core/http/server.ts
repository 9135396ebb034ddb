// What the engine's HTTP endpoints (the prometheus exporter, the otlp receiver) share.
import type { Server, ServerResponse } from 'node:http';

/** Answers with a short plain-text body (help, 404, 405 ...), for the engine's HTTP endpoints. */
export function answerText(
  res: ServerResponse,
  status: number,
  text: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...extra,
  });
  res.end(text);
}

/** How long requests in flight may take to be answered once a listener stops. */
export const CLOSE_GRACE_MS = 1000;

/**
 * Stops listening and closes idle connections at once; requests in flight get up to `graceMs` to be
 * answered (a sender whose data was taken must not see a reset and send it again), then every
 * connection is closed.
 */
export async function closeServer(server: Server, graceMs = CLOSE_GRACE_MS): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // A keep-alive connection turns idle once its answer is out: close it then, not at the cut.
  const idle = setInterval(() => server.closeIdleConnections(), 20);
  const cut = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(cut);
  }
}
